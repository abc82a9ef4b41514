// Shopify signs the raw body: X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256>, computed here as
// Shopify's "Verify webhook deliveries" describes.
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { schemeSuite, send, signedWebhook, type SchemeCase } from "../support/signing.ts";

const hmacBase64 = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("base64");

const shopify: SchemeCase = {
  verification: { scheme: "shopify" },
  secrets: ["old shopify client secret", "hush"],
  sign: async (body, secret) => ({ "x-shopify-hmac-sha256": hmacBase64(secret, body), "x-shopify-topic": "orders/create" }),
  signatureHeaders: ["x-shopify-hmac-sha256"],
  timestamped: false,
};

schemeSuite("shopify", shopify);

describe("shopify: specifics", () => {
  test("the node:crypto vector passes", async () => {
    const { t, w } = await signedWebhook(shopify);
    const body = '{"id":820982911946154508,"email":"jon@example.com"}';
    expect((await send(t, w.slug, body, { "x-shopify-hmac-sha256": "D0UMXmhjwBRi4y66TmhJrDlhQABD7zI2fm3p6/QLMo8=" })).status).toBe(204);
  });

  test("the Events delivery's unprefixed shopify-hmac-sha256 passes too", async () => {
    const { t, w } = await signedWebhook(shopify);
    expect((await send(t, w.slug, "{}", { "shopify-hmac-sha256": hmacBase64("hush", "{}") })).status).toBe(204);
  });

  test("a hex signature where base64 is expected → 401", async () => {
    const { t, w } = await signedWebhook(shopify);
    const hex = createHmac("sha256", "hush").update("{}").digest("hex");
    expect((await send(t, w.slug, "{}", { "x-shopify-hmac-sha256": hex })).status).toBe(401);
  });
});
