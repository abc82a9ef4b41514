// Standard Webhooks (and Svix, GitLab's signing tokens) sign `<id>.<timestamp>.<raw body>` with the
// base64-decoded secret. Signed here with the standardwebhooks library's Webhook#sign.
import { describe, expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { expectRefused, nowSeconds, schemeSuite, send, signedWebhook, type SchemeCase } from "../support/signing.ts";

const MESSAGE_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";

function signWith(secret: string, body: string, timestamp: number, prefix = "webhook") {
  const signature = new Webhook(secret).sign(MESSAGE_ID, new Date(timestamp * 1000), body);
  return { [`${prefix}-signature`]: signature, [`${prefix}-id`]: MESSAGE_ID, [`${prefix}-timestamp`]: String(timestamp) };
}

const standard: SchemeCase = {
  verification: { scheme: "standard-webhooks" },
  secrets: ["whsec_b2xkIHN0YW5kYXJkIHdlYmhvb2tzIHNlY3JldCE=", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
  sign: async (body, secret, timestamp) => signWith(secret, body, timestamp),
  signatureHeaders: ["webhook-signature"],
  timestamped: true,
};

schemeSuite("standard-webhooks", standard);

describe("standard-webhooks: specifics", () => {
  test("the library's test vector passes", async () => {
    const { t, w, clock } = await signedWebhook(standard);
    clock.set(1614265330_000);
    const headers = {
      "webhook-id": MESSAGE_ID,
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    };
    expect((await send(t, w.slug, '{"test": 2432232314}', headers)).status).toBe(204);
  });

  test("Svix's svix-* header names pass", async () => {
    const { t, w } = await signedWebhook(standard);
    const headers = signWith(standard.secrets[1], '{"a":1}', nowSeconds(t), "svix");
    expect((await send(t, w.slug, '{"a":1}', headers)).status).toBe(204);
  });

  test("a secret configured without whsec_ works the same", async () => {
    const bare = standard.secrets[1].slice("whsec_".length);
    const { t, w } = await signedWebhook({ ...standard, secrets: [bare, bare] });
    const headers = signWith(standard.secrets[1], '{"a":1}', nowSeconds(t));
    expect((await send(t, w.slug, '{"a":1}', headers)).status).toBe(204);
  });

  test("several signatures, space-separated, pass when any matches; v1a ones are skipped", async () => {
    const { t, w } = await signedWebhook(standard);
    const ts = nowSeconds(t);
    const other = signWith("whsec_dW5rbm93biBzZWNyZXQgb2YgYW5vdGhlcg==", "{}", ts)["webhook-signature"];
    const right = signWith(standard.secrets[0], "{}", ts)["webhook-signature"];
    const headers = { ...signWith(standard.secrets[0], "{}", ts), "webhook-signature": `v1a,AAAA ${other} ${right}` };
    expect((await send(t, w.slug, "{}", headers)).status).toBe(204);
  });

  test("signed 301 s in the future → 401 timestamp_out_of_window (the window runs both ways)", async () => {
    const { t, w } = await signedWebhook(standard);
    const headers = signWith(standard.secrets[1], "{}", nowSeconds(t) + 301);
    expect((await send(t, w.slug, "{}", headers)).status).toBe(401);
    expectRefused(t, "timestamp_out_of_window", standard.secrets);
  });

  test("a missing webhook-id → 401", async () => {
    const { t, w } = await signedWebhook(standard);
    const { "webhook-id": _, ...headers } = signWith(standard.secrets[1], "{}", nowSeconds(t));
    expect((await send(t, w.slug, "{}", headers)).status).toBe(401);
  });
});
