// Stripe signs `<t>.<raw body>`: Stripe-Signature: t=<ts>,v1=<hex>[,v1=…]. Signed here with
// stripe-node's own test header helper.
import { describe, expect, test } from "bun:test";
import Stripe from "stripe";
import { expectRefused, nowSeconds, schemeSuite, send, signedWebhook, type SchemeCase } from "../support/signing.ts";

const stripeClient = new Stripe("sk_test_inlet");
const header = (payload: string, secret: string, timestamp: number) =>
  stripeClient.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp });

const stripe: SchemeCase = {
  verification: { scheme: "stripe" },
  secrets: ["whsec_old_stripe_secret", "whsec_test_secret"],
  sign: async (body, secret, timestamp) => ({ "stripe-signature": await header(body, secret, timestamp) }),
  signatureHeaders: ["stripe-signature"],
  timestamped: true,
};

schemeSuite("stripe", stripe);

const VECTOR_BODY = '{\n  "id": "evt_test_webhook",\n  "object": "event"\n}';

describe("stripe: specifics", () => {
  test("the stripe-node vector passes, with the window wide enough for its timestamp", async () => {
    const { t, w, clock } = await signedWebhook(stripe);
    clock.set(1_700_000_100_000);
    const sig = "t=1700000000,v1=4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150";
    expect((await send(t, w.slug, VECTOR_BODY, { "stripe-signature": sig })).status).toBe(204);
  });

  test("one v1 per active secret, as during a roll: passes when any matches", async () => {
    const { t, w } = await signedWebhook(stripe);
    const ts = nowSeconds(t);
    const unknown = (await header(VECTOR_BODY, "whsec_unknown", ts)).split(",")[1];
    const known = (await header(VECTOR_BODY, stripe.secrets[1], ts)).split(",")[1];
    expect((await send(t, w.slug, VECTOR_BODY, { "stripe-signature": `t=${ts},${unknown},${known}` })).status).toBe(204);
  });

  test("a right v0 without any v1 → 401", async () => {
    const { t, w } = await signedWebhook(stripe);
    const ts = nowSeconds(t);
    const v0 = (await header(VECTOR_BODY, stripe.secrets[1], ts)).replace("v1=", "v0=");
    expect((await send(t, w.slug, VECTOR_BODY, { "stripe-signature": v0 })).status).toBe(401);
    expectRefused(t, "signature_invalid", stripe.secrets);
  });

  test("a timestamp in the future passes, as stripe-node checks only the age", async () => {
    const { t, w } = await signedWebhook(stripe);
    const sig = await header(VECTOR_BODY, stripe.secrets[1], nowSeconds(t) + 3600);
    expect((await send(t, w.slug, VECTOR_BODY, { "stripe-signature": sig })).status).toBe(204);
  });

  test("a stale request with a wrong signature is signature_invalid, not a window miss", async () => {
    const { t, w } = await signedWebhook(stripe);
    const sig = await header(VECTOR_BODY, "whsec_wrong", nowSeconds(t) - 1000);
    expect((await send(t, w.slug, VECTOR_BODY, { "stripe-signature": sig })).status).toBe(401);
    expectRefused(t, "signature_invalid", stripe.secrets);
  });
});
