// Real GitHub deliveries (from @octokit/webhooks-examples) through Prefect's GitHub template.
import { describe, expect, test } from "bun:test";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { createTestApp } from "../support/app.ts";
import { createWebhook, hook, storedEvents } from "../support/hooks.ts";
import { PREFECT_GITHUB_PR } from "../fixtures/templates/prefect.ts";

// A push template that prints free text (commit messages) straight into JSON strings.
const GITHUB_PUSH = `{
  "event": "github.push",
  "resource": {"prefect.resource.id": "github.repo.{{ body.repository.full_name }}", "ref": "{{ body.ref }}"},
  "payload": {"message": "{{ body.head_commit.message }}", "pusher": "{{ body.pusher.name }}", "commits": {{ body.commits|length }}}
}`;

type Example = { name: string; examples: Record<string, any>[] };
const byName = (name: string) => (examples as unknown as Example[]).find((e) => e.name === name)!.examples;

function deliver(t: ReturnType<typeof createTestApp>, slug: string, event: string, payload: unknown) {
  return hook(t, slug, {
    body: JSON.stringify(payload),
    headers: {
      "content-type": "application/json",
      "X-GitHub-Event": event,
      "X-GitHub-Delivery": crypto.randomUUID(),
      "User-Agent": "GitHub-Hookshot/abc",
    },
  });
}

describe("GitHub webhooks", () => {
  test("every pull_request example becomes github.pull_request.<action> with Python-style booleans", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: PREFECT_GITHUB_PR });
    const prs = byName("pull_request");
    for (const payload of prs) expect((await deliver(t, w.slug, "pull_request", payload)).status).toBe(204);
    const events = storedEvents(t);
    expect(events).toHaveLength(prs.length);
    events.forEach((e, i) => {
      const pr = prs[i]!.pull_request;
      expect(e.event).toBe(`github.pull_request.${prs[i]!.action}`);
      expect(e.resource["pr.number"]).toBe(String(pr.number));
      expect(e.resource["pr.merged"]).toBe(pr.merged === true ? "True" : pr.merged === false ? "False" : "None");
      expect(e.resource["prefect.resource.id"]).toBe(`github.pr.${pr.number}`);
    });
  });

  test("a PR body that links a flow run resumes that flow run's resource", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: PREFECT_GITHUB_PR });
    const payload = structuredClone(byName("pull_request")[0]!);
    payload.pull_request.body = "Fixes https://app.prefect.cloud/runs/flow-run/0b9a1c1e-3f6e-4a57-9d4e-3b1c2d3e4f50 please";
    expect((await deliver(t, w.slug, "pull_request", payload)).status).toBe(204);
    expect(storedEvents(t)[0]!.resource["prefect.resource.id"]).toBe("prefect.flow-run.0b9a1c1e-3f6e-4a57-9d4e-3b1c2d3e4f50");
  });

  test("push commit messages with quotes and newlines stay valid JSON (JSON-safe interpolation)", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: GITHUB_PUSH });
    const payload = structuredClone(byName("push").find((p) => p.head_commit)!);
    payload.head_commit.message = 'Fix "quoted" path C:\\temp\n\nSecond paragraph\ttabbed';
    expect((await deliver(t, w.slug, "push", payload)).status).toBe(204);
    const [event] = storedEvents(t);
    expect(event!.payload).toEqual({ message: payload.head_commit.message, pusher: payload.pusher.name, commits: payload.commits.length });
    expect(event!.resource["prefect.resource.id"]).toBe(`github.repo.${payload.repository.full_name}`);
  });
});
