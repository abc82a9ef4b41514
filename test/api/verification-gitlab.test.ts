// GitLab sends its secret token as is in X-Gitlab-Token: compared in constant time, and never kept.
import { describe, expect, test } from "bun:test";
import { storedEvents } from "../support/hooks.ts";
import { schemeSuite, send, signedWebhook, type SchemeCase } from "../support/signing.ts";

const gitlab: SchemeCase = {
  verification: { scheme: "gitlab" },
  secrets: ["old-gitlab-token", "new-gitlab-token"],
  sign: async (_body, secret) => ({ "x-gitlab-token": secret, "x-gitlab-event": "Push Hook" }),
  signatureHeaders: ["x-gitlab-token"],
  coversBody: false,
  timestamped: false,
};

schemeSuite("gitlab", gitlab);

describe("gitlab: specifics", () => {
  test("the token never reaches the stored event's headers", async () => {
    const { t, w } = await signedWebhook(gitlab);
    expect(
      (await send(t, w.slug, '{"object_kind":"push"}', { "x-gitlab-token": "new-gitlab-token", "x-gitlab-event": "Push Hook" })).status,
    ).toBe(204);
    const [event] = storedEvents(t);
    expect(event!.payload.headers).toMatchObject({ "x-gitlab-event": "Push Hook" });
    expect(JSON.stringify(storedEvents(t))).not.toContain("new-gitlab-token");
  });

  test("a token that is a prefix of the secret → 401", async () => {
    const { t, w } = await signedWebhook(gitlab);
    expect((await send(t, w.slug, "{}", { "x-gitlab-token": "new-gitlab" })).status).toBe(401);
  });
});
