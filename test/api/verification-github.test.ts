// GitHub signs the raw body: X-Hub-Signature-256: sha256=<hex HMAC-SHA256>. Signed here with
// GitHub's own @octokit/webhooks-methods.
import { describe, expect, test } from "bun:test";
import { sign } from "@octokit/webhooks-methods";
import { createHmac } from "node:crypto";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { expectRefused, schemeSuite, send, signedWebhook, type SchemeCase } from "../support/signing.ts";
import { storedEvents } from "../support/hooks.ts";

const github: SchemeCase = {
  verification: { scheme: "github" },
  secrets: ["old GitHub secret", "It's a Secret to Everybody"],
  sign: async (body, secret) => ({ "x-hub-signature-256": await sign(secret, body), "x-github-event": "push" }),
  signatureHeaders: ["x-hub-signature-256"],
  timestamped: false,
};

schemeSuite("github", github);

describe("github: specifics", () => {
  test("GitHub Docs' test vector passes", async () => {
    const { t, w } = await signedWebhook(github);
    const headers = { "x-hub-signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" };
    expect((await send(t, w.slug, "Hello, World!", headers, "text/plain")).status).toBe(204);
  });

  test("only the legacy sha1 X-Hub-Signature → 401: a downgrade is refused", async () => {
    const { t, w } = await signedWebhook(github);
    const body = '{"zen":"Keep it logically awesome."}';
    const sha1 = `sha1=${createHmac("sha1", github.secrets[1]).update(body).digest("hex")}`;
    expect((await send(t, w.slug, body, { "x-hub-signature": sha1 })).status).toBe(401);
    expectRefused(t, "signature_invalid", github.secrets);
    expect(storedEvents(t)[0]!.payload.error).toContain("legacy");
  });

  test("a real push delivery, signed by octokit, is stored", async () => {
    const push = (examples as { name: string; examples: unknown[] }[]).find((e) => e.name === "push")!.examples[0];
    const body = JSON.stringify(push, null, 2);
    const { t, w } = await signedWebhook(github);
    const headers = await github.sign(body, github.secrets[0], 0);
    expect((await send(t, w.slug, body, { ...headers, "x-github-delivery": crypto.randomUUID() })).status).toBe(204);
    expect(storedEvents(t)[0]!.payload.body).toEqual(push);
  });

  test("a signature without the sha256= prefix → 401", async () => {
    const { t, w } = await signedWebhook(github);
    const hex = (await sign(github.secrets[1], "{}")).slice("sha256=".length);
    expect((await send(t, w.slug, "{}", { "x-hub-signature-256": hex })).status).toBe(401);
  });
});
