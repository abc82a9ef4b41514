// The generic scheme: a configured header, algorithm, encoding and optional prefix over the raw
// body. Signatures computed with node:crypto; vectors from RFC 4231 (sha256) and RFC 2202 (sha1).
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { expectRefused, schemeSuite, send, signedWebhook, type SchemeCase } from "../support/signing.ts";

const hmacCase = (settings: Record<string, unknown>, sign: (secret: string, body: string) => string): SchemeCase => ({
  verification: { scheme: "hmac", ...settings },
  secrets: ["an older shared secret", "Jefe"],
  sign: async (body, secret) => ({ [String(settings.header).toLowerCase()]: sign(secret, body) }),
  signatureHeaders: [String(settings.header).toLowerCase()],
  timestamped: false,
});

const gitea = hmacCase({ header: "X-Gitea-Signature" }, (s, b) => createHmac("sha256", s).update(b).digest("hex"));
const legacyGithub = hmacCase(
  { header: "X-Hub-Signature", algorithm: "sha1", prefix: "sha1=" },
  (s, b) => `sha1=${createHmac("sha1", s).update(b).digest("hex")}`,
);
const base64Sha512 = hmacCase({ header: "X-Signature", algorithm: "sha512", encoding: "base64" }, (s, b) =>
  createHmac("sha512", s).update(b).digest("base64"),
);

schemeSuite("hmac sha256 hex (Gitea)", gitea);
schemeSuite("hmac sha1 hex with a prefix (GitHub's legacy header, on purpose)", legacyGithub);
schemeSuite("hmac sha512 base64", base64Sha512);

const RFC_BODY = "what do ya want for nothing?";

describe("hmac: specifics", () => {
  test.each([
    [{ header: "X-Sig" }, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"],
    [{ header: "X-Sig", encoding: "base64" }, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="],
    [{ header: "X-Sig", algorithm: "sha1" }, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"],
  ])("RFC vector %o passes", async (settings, signature) => {
    const { t, w } = await signedWebhook(hmacCase(settings, () => ""));
    expect((await send(t, w.slug, RFC_BODY, { "x-sig": signature }, "text/plain")).status).toBe(204);
  });

  test("the header name is matched whatever its case", async () => {
    const { t, w } = await signedWebhook(hmacCase({ header: "x-SIG" }, () => ""));
    const sig = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    expect((await send(t, w.slug, RFC_BODY, { "X-Sig": sig }, "text/plain")).status).toBe(204);
  });

  test("a configured prefix must be present", async () => {
    const { t, w } = await signedWebhook(legacyGithub);
    const bare = createHmac("sha1", "Jefe").update("{}").digest("hex");
    expect((await send(t, w.slug, "{}", { "x-hub-signature": bare })).status).toBe(401);
    expectRefused(t, "signature_invalid", legacyGithub.secrets);
  });
});
