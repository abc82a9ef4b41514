// Slack signs `v0:<timestamp>:<raw body>`: X-Slack-Signature: v0=<hex HMAC-SHA256>, computed here
// as Slack's "Verifying requests from Slack" describes (Slack ships no signing helper).
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { storedEvents } from "../support/hooks.ts";
import { expectRefused, nowSeconds, schemeSuite, send, signedWebhook, type SchemeCase } from "../support/signing.ts";

const slackSign = (body: string, secret: string, timestamp: number) => ({
  "x-slack-signature": `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`,
  "x-slack-request-timestamp": String(timestamp),
});

const slack: SchemeCase = {
  verification: { scheme: "slack" },
  secrets: ["0ld5ecret0ld5ecret0ld5ecret0ld5e", "8f742231b10e8888abcd99yyyzzz85a5"],
  sign: async (body, secret, timestamp) => slackSign(body, secret, timestamp),
  signatureHeaders: ["x-slack-signature"],
  timestamped: true,
};

schemeSuite("slack", slack);

const VECTOR_BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const FORM = "application/x-www-form-urlencoded";
const challenge = JSON.stringify({
  token: "Jhj5dZrVaK7ZwHHjRyZWjbDl",
  challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
  type: "url_verification",
});

describe("slack: specifics", () => {
  test("Slack's documented slash-command vector passes", async () => {
    const { t, w, clock } = await signedWebhook(slack);
    clock.set(1531420618_000);
    const headers = {
      "x-slack-request-timestamp": "1531420618",
      "x-slack-signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    };
    expect((await send(t, w.slug, VECTOR_BODY, headers, FORM)).status).toBe(204);
    expect(storedEvents(t)[0]!.payload.body).toMatchObject({ command: "/webhook-collect", user_name: "roadrunner" });
  });

  test("a signed url_verification is answered 200 with its challenge, and stores nothing", async () => {
    const { t, w } = await signedWebhook(slack);
    const res = await send(t, w.slug, challenge, slackSign(challenge, slack.secrets[1], nowSeconds(t)));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
    expect(storedEvents(t)).toHaveLength(0);
  });

  test("an unsigned url_verification → 401, no challenge", async () => {
    const { t, w } = await signedWebhook(slack);
    const res = await send(t, w.slug, challenge, {});
    expect(res.status).toBe(401);
    expect(await res.text()).toBe("");
    expectRefused(t, "signature_invalid", slack.secrets);
  });

  test("signed 301 s in the future → 401 timestamp_out_of_window", async () => {
    const { t, w } = await signedWebhook(slack);
    expect((await send(t, w.slug, "{}", slackSign("{}", slack.secrets[1], nowSeconds(t) + 301))).status).toBe(401);
    expectRefused(t, "timestamp_out_of_window", slack.secrets);
  });
});
