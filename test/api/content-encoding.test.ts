// Bodies sent compressed (Content-Encoding gzip, deflate, br) are decoded before the template sees
// them, with --max-body-bytes applied to the decoded size: a compression bomb is refused, not
// inflated; bytes that are not in the named encoding get invalid_body. Nothing is stored for either.
import { describe, expect, test } from "bun:test";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { createTestApp } from "../support/app.ts";
import { createWebhook, FAILED, hook, storedEvents } from "../support/hooks.ts";

const TEMPLATE = '{"event": "enc.{{ body.kind }}", "resource": {"prefect.resource.id": "enc.{{ body.n }}"}}';
const json = (o: unknown) => Buffer.from(JSON.stringify(o));

describe("compressed bodies", () => {
  test.each([
    ["gzip", (b: Buffer) => gzipSync(b)],
    ["x-gzip", (b: Buffer) => gzipSync(b)],
    ["deflate", (b: Buffer) => deflateSync(b)],
    ["deflate", (b: Buffer) => deflateRawSync(b)],
    ["br", (b: Buffer) => brotliCompressSync(b)],
    ["gzip, br", (b: Buffer) => brotliCompressSync(gzipSync(b))],
    ["identity", (b: Buffer) => b],
  ])("Content-Encoding: %s → the template sees the decoded JSON", async (encoding, encode) => {
    await using t = createTestApp();
    const w = await createWebhook(t, { template: TEMPLATE });
    const res = await hook(t, w.slug, {
      body: new Uint8Array(encode(json({ kind: "zipped", n: 7 }))),
      headers: { "content-type": "application/json", "content-encoding": encoding },
    });
    expect(res.status).toBe(204);
    expect(storedEvents(t).map((e) => [e.event, e.resource["prefect.resource.id"]])).toEqual([["enc.zipped", "enc.7"]]);
  });

  test("a compression bomb (10 MiB of zeros in ~10 KB) → 413 body_too_large once decoding passes the limit; no event", async () => {
    await using t = createTestApp({ config: { maxBodyBytes: 1_048_576 } });
    const w = await createWebhook(t, { template: TEMPLATE });
    const bomb = gzipSync(Buffer.alloc(10 * 1_048_576));
    expect(bomb.byteLength).toBeLessThan(20_000);
    const res = await hook(t, w.slug, { body: bomb, headers: { "content-type": "application/json", "content-encoding": "gzip" } });
    expect(res.status).toBe(413);
    const events = storedEvents(t);
    expect(events.map((e) => e.event)).toEqual([FAILED]);
    expect(events[0]!.payload).toMatchObject({ reason: "body_too_large" });
    expect(String((events[0]!.payload as { error: string }).error)).toContain("once decoded from its Content-Encoding");
  });

  test("bytes that are not gzip → 400 invalid_body, a failure event naming the encoding; no event", async () => {
    await using t = createTestApp();
    const w = await createWebhook(t, { template: TEMPLATE });
    const res = await hook(t, w.slug, {
      body: json({ kind: "plain", n: 1 }),
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
    });
    expect(res.status).toBe(400);
    const [failure] = storedEvents(t);
    expect(failure!.event).toBe(FAILED);
    expect(failure!.payload).toMatchObject({ reason: "invalid_body" });
    expect(String((failure!.payload as { error: string }).error)).toStartWith("The body is not valid gzip");
  });

  test("a coding Inlet does not know leaves the body as sent", async () => {
    await using t = createTestApp();
    const w = await createWebhook(t, { template: '{"event": "enc.raw", "resource": {"prefect.resource.id": "enc.{{ body|length }}"}}' });
    const res = await hook(t, w.slug, { body: "abcdef", headers: { "content-type": "text/plain", "content-encoding": "zstd" } });
    expect(res.status).toBe(204);
    expect(storedEvents(t)[0]!.resource["prefect.resource.id"]).toBe("enc.6");
  });

  test("the kept request is the body as sent, with its Content-Encoding; a replay decodes it as ingestion does", async () => {
    await using t = createTestApp();
    const w = await createWebhook(t, {
      template: '{"event": "enc.{{ body.kind }}", "resource": {"prefect.resource.id": "{{ 1 + body.nope }}"}}',
    });
    const sent = gzipSync(json({ kind: "replayed", n: 3 }));
    expect(
      (await hook(t, w.slug, { body: sent, headers: { "content-type": "application/json", "content-encoding": "gzip" } })).status,
    ).toBe(400);
    const [failure] = storedEvents(t);
    expect((await t.request("PATCH", `/api/webhooks/${w.id}`, { body: { template: TEMPLATE } })).status).toBe(204);
    const replay = await t.request("POST", `/api/webhooks/${w.id}/replay`, { body: { event_ids: [failure!.id] } });
    expect(replay.status).toBe(200);
    expect((await replay.json()).results).toMatchObject([{ failure_event_id: failure!.id, status: "stored" }]);
    const replayed = storedEvents(t).find((e) => e.event === "enc.replayed")!;
    expect(replayed.resource["prefect.resource.id"]).toBe("enc.3");

    const other = await createWebhook(t, { template: TEMPLATE, name: "kept" });
    await hook(t, other.slug, { body: sent, headers: { "content-type": "application/json", "content-encoding": "gzip" } });
    const stored = storedEvents(t).at(-1)!;
    const kept = await (await t.request("GET", `/api/events/${stored.id}/request`)).json();
    expect(kept.headers["content-encoding"]).toBe("gzip");
    expect(kept.body_encoding).toBe("base64");
    expect(Buffer.from(kept.body, "base64").equals(sent)).toBe(true);
  });
});
