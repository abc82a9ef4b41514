// Integers past 2^53 (64-bit ids) go through Inlet digit for digit, as they go through Prefect
// (Python): in templates, in stored events, in the events API and on the live feed. JSON.parse
// alone would round 1588453471829446656 to 1588453471829446700.
import { describe, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";
import { createWebhook, hook } from "../support/hooks.ts";
import { SseClient, startFeedServer } from "../support/feed.ts";
import { waitUntil } from "../support/wait.ts";

// The shape of an X (Twitter) Account Activity delivery: 64-bit ids as JSON numbers beside their
// `id_str` copies, and a 32-bit one that is exact anyway.
const TWEET_ID = "1588453471829446656";
const USER_ID = "1357928466935271429";
const DELIVERY = `{
  "for_user_id": "${USER_ID}",
  "tweet_create_events": [{
    "created_at": "Fri Nov 04 09:28:12 +0000 2022",
    "id": ${TWEET_ID},
    "id_str": "${TWEET_ID}",
    "text": "Shipping Inlet today",
    "in_reply_to_status_id": 9007199254740993,
    "user": { "id": ${USER_ID}, "id_str": "${USER_ID}", "screen_name": "inlet_dev", "followers_count": 2147483647 }
  }]
}`;

/** The stored rows' JSON text, as SQLite holds it. */
const storedText = (t: ReturnType<typeof createTestApp>) =>
  (t.ctx.db.$client.query("SELECT data FROM events ORDER BY seq").all() as { data: string }[]).map((r) => r.data);

describe("64-bit integers in a JSON body", () => {
  test("print, compare and add exactly in a template, and land in the event's resource", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, {
      template: `{
        "event": "tweet.created",
        "resource": {
          "prefect.resource.id": "x.tweet.{{ body.tweet_create_events[0].id }}",
          "next": "{{ body.tweet_create_events[0].id + 1 }}",
          "same": "{{ body.tweet_create_events[0].id == ${TWEET_ID} }}|{{ body.tweet_create_events[0].id == ${TWEET_ID} + 1 }}",
          "reply": "{{ body.tweet_create_events[0].in_reply_to_status_id }}",
          "format": "{{ '%d/%x'|format(body.tweet_create_events[0].id, body.tweet_create_events[0].id) }}"
        }
      }`,
    });
    const res = await hook(t, w.slug, { body: DELIVERY, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(204);
    const [data] = storedText(t);
    const resource = JSON.parse(data!).resource;
    expect(resource["prefect.resource.id"]).toBe(`x.tweet.${TWEET_ID}`);
    expect(resource.next).toBe("1588453471829446657");
    expect(resource.same).toBe("True|False");
    expect(resource.reply).toBe("9007199254740993");
    expect(resource.format).toBe(`${TWEET_ID}/${BigInt(TWEET_ID).toString(16)}`);
  });

  test("the default payload and a tojson pass-through store every digit", async () => {
    const t = createTestApp();
    const plain = await createWebhook(t, {
      name: "default payload",
      template: `{"event": "tweet", "resource": {"prefect.resource.id": "x"}}`,
    });
    const passThrough = await createWebhook(t, {
      name: "pass-through",
      template: `{"event": "tweet", "resource": {"prefect.resource.id": "x"}, "payload": {{ body|tojson }}}`,
    });
    for (const w of [plain, passThrough]) {
      expect((await hook(t, w.slug, { body: DELIVERY, headers: { "content-type": "application/json" } })).status).toBe(204);
    }
    const [fromDefault, fromPassThrough] = storedText(t);
    for (const text of [fromDefault!, fromPassThrough!]) {
      expect(text).toContain(`"id":${TWEET_ID},"id_str":"${TWEET_ID}"`);
      expect(text).toContain(`"in_reply_to_status_id":9007199254740993`);
      expect(text).toContain(`"id":${USER_ID},"id_str":"${USER_ID}"`);
      expect(text).toContain(`"followers_count":2147483647`);
      expect(text).not.toContain("1588453471829446700"); // what JSON.parse would have made of it
    }
  });

  test.each(["12345678901234567890", "{{ 12345678901234567890 }}", "21.0", "{{ body.n }}"])(
    "a template that renders a bare number (%s) fails as not an event: 400 and a failure event",
    async (template) => {
      const t = createTestApp();
      const w = await createWebhook(t, { template });
      const res = await hook(t, w.slug, { body: '{"n": 1e3}', headers: { "content-type": "application/json" } });
      expect(res.status).toBe(400);
      const stored = storedText(t).map((text) => JSON.parse(text));
      expect(stored).toHaveLength(1);
      expect(stored[0].event).toBe("prefect-cloud.webhook.failed");
      expect(stored[0].payload.reason).toBe("invalid_event");
      expect(stored[0].payload.error).toContain("An event must be a JSON object, got number");
    },
  );

  test("the events API returns them exactly, from a webhook and from POST /api/events", async () => {
    await using t = createTestApp({ database: "file" });
    const w = await createWebhook(t, { template: `{"event": "tweet.hooked", "resource": {"prefect.resource.id": "x"}}` });
    expect((await hook(t, w.slug, { body: DELIVERY, headers: { "content-type": "application/json" } })).status).toBe(204);
    const posted = await t.request("POST", "/api/events", {
      body: `[{"event": "tweet.posted", "resource": {"prefect.resource.id": "x"}, "payload": {"id": ${TWEET_ID}, "small": 12, "float": 1.5}}]`,
      headers: { "content-type": "application/json" },
    });
    expect(posted.status).toBe(204);

    const res = await t.request("POST", "/api/events/filter", { body: { filter: { order: "ASC" } } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`"id":${TWEET_ID},"id_str"`);
    expect(text).toContain(`"payload":{"id":${TWEET_ID},"small":12,"float":1.5}`);
    expect(text).not.toContain("1588453471829446700");
  });

  test("POST /api/events still refuses what is not JSON, and stores nothing", async () => {
    const t = createTestApp();
    const res = await t.request("POST", "/api/events", {
      body: `[{"event": "x", "payload": {"id": ${TWEET_ID}}`,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "invalid_json", message: "The request body is not valid JSON" } });
    expect(storedText(t)).toEqual([]);
  });

  test.each([
    [
      "the payload",
      `{"event": "x", "resource": {"prefect.resource.id": "x"}, "payload": ${TWEET_ID}}`,
      "[0] payload: must be an object, got number",
    ],
    ["a resource", `{"event": "x", "resource": ${TWEET_ID}}`, "[0] resource: must be an object of string labels, got number"],
    [
      "a related resource",
      `{"event": "x", "resource": {"prefect.resource.id": "x"}, "related": [${TWEET_ID}]}`,
      "[0] related[0]: must be an object of string labels, got number",
    ],
    ["the event", TWEET_ID, "[0] An event must be a JSON object, got number"],
  ])("a 64-bit number as %s is refused as a number, nothing stored", async (_where, item, message) => {
    const t = createTestApp();
    const res = await t.request("POST", "/api/events", { body: `[${item}]`, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(message);
    expect(storedText(t)).toEqual([]);
  });

  test("a 64-bit number as a resource label is refused as a number, not an object", async () => {
    const t = createTestApp();
    const res = await t.request("POST", "/api/events", {
      body: `[{"event": "x", "resource": {"prefect.resource.id": "x", "tweet": ${TWEET_ID}}}]`,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("validation");
    expect(error.message).toContain(`[0] resource["tweet"]: label values must be strings, got number`);
    expect(storedText(t)).toEqual([]);
  });

  test("the live feed sends them exactly, live and in its backfill", async () => {
    const s = await startFeedServer();
    try {
      const w = await s.webhook(`{"event": "tweet.live", "resource": {"prefect.resource.id": "x"}}`);
      const before = await fetch(w.url, { method: "POST", body: DELIVERY, headers: { "content-type": "application/json" } });
      expect(before.status).toBe(204);
      const since = new Date(Date.now() - 60_000).toISOString();
      const res = await fetch(`${s.url}/api/events/stream?since=${since}`, { headers: { authorization: `Bearer ${s.adminKey}` } });
      const client = new SseClient(res);
      await waitUntil(() => client.frames.some((f) => f.id), "the backfilled event");
      const after = await fetch(w.url, { method: "POST", body: DELIVERY, headers: { "content-type": "application/json" } });
      expect(after.status).toBe(204);
      await waitUntil(() => client.frames.filter((f) => f.id).length === 2, "the live event");
      for (const frame of client.frames.filter((f) => f.id)) {
        expect(frame.data).toContain(`"id":${TWEET_ID},"id_str"`);
        expect(frame.data).not.toContain("1588453471829446700");
      }
      await client.close();
    } finally {
      await s.stop();
    }
  });
});
