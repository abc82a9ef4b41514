// The admin UI's starter templates, and the playground's warnings: each starter renders its own
// sample cleanly; the GitHub starter takes every real GitHub delivery and fails, as Prefect would,
// on a request that is not one; a render that works but printed undefined values says so.
import { describe, expect, test } from "bun:test";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { STARTERS } from "../../web/src/lib/starters.ts";
import { createTestApp } from "../support/app.ts";
import { createWebhook, FAILED, hook, storedEvents } from "../support/hooks.ts";

const headerMap = (lines: string) =>
  Object.fromEntries(
    lines
      .split("\n")
      .filter((l) => l.includes(":"))
      .map((l) => [l.slice(0, l.indexOf(":")).trim(), l.slice(l.indexOf(":") + 1).trim()]),
  );
const queryMap = (q: string) => Object.fromEntries(new URLSearchParams(q));
const github = STARTERS.find((s) => s.id === "github")!.template;

describe("starters", () => {
  test.each(STARTERS.map((s) => [s.id, s] as const))(
    "%s renders its own sample to a valid event, with nothing to warn about",
    async (_id, starter) => {
      await using t = createTestApp();
      const res = await t.request("POST", "/api/templates/render", {
        body: {
          template: starter.template,
          request: {
            method: starter.sample.method,
            headers: headerMap(starter.sample.headers),
            body: starter.sample.body,
            query: queryMap(starter.sample.query),
          },
        },
      });
      const result = await res.json();
      expect(result.error).toBeNull();
      expect(result.warnings).toEqual([]);
    },
  );

  test("the GitHub starter stores every real GitHub delivery (@octokit/webhooks-examples)", async () => {
    await using t = createTestApp();
    const w = await createWebhook(t, { template: github });
    let sent = 0;
    for (const { name, examples: list } of examples as unknown as { name: string; examples: unknown[] }[]) {
      for (const payload of list) {
        const res = await hook(t, w.slug, {
          body: JSON.stringify(payload),
          headers: { "content-type": "application/json", "x-github-event": name, "x-github-delivery": crypto.randomUUID() },
        });
        expect([name, res.status]).toEqual([name, 204]);
        sent++;
      }
    }
    const events = storedEvents(t);
    expect(events).toHaveLength(sent);
    for (const e of events) expect(e.resource["prefect.resource.id"]).toMatch(/^github\.(repo|org|advisory|user)\.[^.]/);
  });

  test.each([
    [
      "invalid JSON sent as application/json",
      { body: "{not json", headers: { "content-type": "application/json", "x-github-event": "push" } },
    ],
    ["a GET with no body", { method: "GET", headers: { "x-github-event": "push" } }],
    [
      "a JSON body without X-GitHub-Event",
      { body: '{"repository": {"full_name": "a/b"}}', headers: { "content-type": "application/json" } },
    ],
  ] as const)("the GitHub starter refuses %s: 400 invalid_event, a failure event, no event", async (_what, init) => {
    await using t = createTestApp();
    const w = await createWebhook(t, { template: github });
    const res = await hook(t, w.slug, init as Parameters<typeof hook>[2]);
    expect(res.status).toBe(400);
    const events = storedEvents(t);
    expect(events.map((e) => e.event)).toEqual([FAILED]);
    expect(events[0]!.payload).toMatchObject({ reason: "invalid_event" });
  });
});

describe("the playground's warnings", () => {
  const render = async (t: ReturnType<typeof createTestApp>, template: string, request: Record<string, unknown>) =>
    (await (await t.request("POST", "/api/templates/render", { body: { template, request } })).json()) as {
      error: unknown;
      warnings: string[];
    };

  test("a body that is not JSON though its Content-Type says so", async () => {
    await using t = createTestApp();
    const result = await render(t, '{"event": "x.y", "resource": {"prefect.resource.id": "x.y"}}', {
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: "{oops",
    });
    expect(result.error).toBeNull();
    expect(result.warnings).toEqual([
      "The body is not valid JSON, though its Content-Type is application/json: the template sees it as text, so every body.… key is undefined",
    ]);
  });

  test("undefined values printed into the event name and resource ids are named", async () => {
    await using t = createTestApp();
    const template =
      '{"event": "order.{{ body.action }}", "resource": {"prefect.resource.id": "shop.order.{{ body.order.id }}"}, "related": [{"prefect.resource.id": "a..b", "prefect.resource.role": "x"}]}';
    const result = await render(t, template, { headers: { "content-type": "application/json" }, body: "{}" });
    expect(result.error).toBeNull();
    const hint = "a value the template printed was probably undefined (a key the request lacks)";
    expect(result.warnings).toEqual([
      `The event name "order." has an empty part: ${hint}`,
      `The resource id "shop.order." has an empty part: ${hint}`,
      `The related[0] id "a..b" has an empty part: ${hint}`,
    ]);
  });
});
