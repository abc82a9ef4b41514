// Standard Webhooks signatures (v1): HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed with the
// base64 bytes after `whsec_`, one `v1,<base64>` per active secret, separated by spaces. Receivers
// verify with any library implementing the spec (e.g. the `standardwebhooks` package).
import { createHmac } from "node:crypto";

export function signatureHeader(secrets: string[], id: string, timestampSeconds: number, body: string): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
      return `v1,${createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64")}`;
    })
    .join(" ");
}

/** The three headers of a signed request; `webhook-id` is the delivery's id, the same on every retry. */
export function standardWebhookHeaders(secrets: string[], id: string, nowMs: number, body: string): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(secrets, id, timestamp, body),
  };
}
