// Checks a request's signature on the exact bytes received, before anything parses them. Every
// comparison is constant-time over equal lengths (crypto.timingSafeEqual), as each provider's own
// verifier does. The signature is checked first: a timestamp outside the window is reported only
// for a request that was signed right, so that a forger learns nothing from the reason.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { DEFAULT_TOLERANCE_SECONDS, standardKey, type Algorithm, type Encoding, type Verification } from "./model.ts";

export type VerifyResult = { ok: true } | { ok: false; reason: "signature_invalid" | "timestamp_out_of_window"; message: string };

/** A signature header longer than this is refused unread: no sender needs more for a few signatures. */
const MAX_SIGNATURE_HEADER_CHARS = 4096;
const SECONDS = /^\d{1,12}$/;

type Headers_ = Pick<Headers, "get">;
type Bytes = Uint8Array | string;

const OK: VerifyResult = { ok: true };
const invalid = (message: string): VerifyResult => ({ ok: false, reason: "signature_invalid", message });

function header(headers: Headers_, name: string): string | null {
  const value = headers.get(name);
  return value === null || value.length > MAX_SIGNATURE_HEADER_CHARS ? null : value.trim();
}

function mac(algorithm: Algorithm, key: Buffer | string, parts: Bytes[]): Buffer {
  const h = createHmac(algorithm, key);
  for (const part of parts) h.update(part);
  return h.digest();
}

function decode(text: string, encoding: Encoding): Buffer | null {
  if (encoding === "hex") return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, "hex") : null;
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, "base64") : null;
}

/** Whether any given signature equals any expected one; every pair is compared, in constant time. */
function anyMatches(given: (Buffer | null)[], expected: Buffer[]): boolean {
  let found = false;
  for (const g of given) {
    if (!g) continue;
    for (const e of expected) if (g.length === e.length && timingSafeEqual(g, e)) found = true;
  }
  return found;
}

function inWindow(v: Verification, signedAt: number, now: number, olderOnly: boolean): VerifyResult {
  const tolerance = v.tolerance_seconds ?? DEFAULT_TOLERANCE_SECONDS;
  const age = Math.floor(now / 1000) - signedAt;
  if (age > tolerance || (!olderOnly && -age > tolerance))
    return {
      ok: false,
      reason: "timestamp_out_of_window",
      message: `The signed timestamp is ${age} s from now, outside the ${tolerance} s window`,
    };
  return OK;
}

function github(v: Verification, headers: Headers_, body: Uint8Array): VerifyResult {
  const value = header(headers, "x-hub-signature-256");
  if (value === null) {
    return headers.get("x-hub-signature") !== null
      ? invalid("Only the legacy X-Hub-Signature (sha1) was sent; X-Hub-Signature-256 is required")
      : invalid("The X-Hub-Signature-256 header is missing");
  }
  if (!value.startsWith("sha256=")) return invalid("X-Hub-Signature-256 does not start with sha256=");
  const expected = v.secrets.map((s) => mac("sha256", s, [body]));
  return anyMatches([decode(value.slice(7), "hex")], expected) ? OK : invalid("X-Hub-Signature-256 matches no secret");
}

function gitlab(v: Verification, headers: Headers_): VerifyResult {
  const value = header(headers, "x-gitlab-token");
  if (value === null) return invalid("The X-Gitlab-Token header is missing");
  // The token is the secret itself: digests compare in constant time whatever the lengths.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return anyMatches([digest(value)], v.secrets.map(digest)) ? OK : invalid("X-Gitlab-Token matches no secret");
}

function stripe(v: Verification, headers: Headers_, body: Uint8Array, now: number): VerifyResult {
  const value = header(headers, "stripe-signature");
  if (value === null) return invalid("The Stripe-Signature header is missing");
  let t: string | null = null;
  const v1: string[] = [];
  for (const item of value.split(",")) {
    const eq = item.indexOf("=");
    const k = item.slice(0, eq).trim();
    if (k === "t" && t === null) t = item.slice(eq + 1).trim();
    else if (k === "v1") v1.push(item.slice(eq + 1).trim());
  }
  if (t === null || !SECONDS.test(t)) return invalid("Stripe-Signature has no timestamp (t=)");
  if (v1.length === 0) return invalid("Stripe-Signature has no v1 signature");
  const expected = v.secrets.map((s) => mac("sha256", s, [`${t}.`, body]));
  if (
    !anyMatches(
      v1.map((s) => decode(s, "hex")),
      expected,
    )
  )
    return invalid("No v1 signature in Stripe-Signature matches a secret");
  return inWindow(v, Number(t), now, true);
}

function slack(v: Verification, headers: Headers_, body: Uint8Array, now: number): VerifyResult {
  const value = header(headers, "x-slack-signature");
  const ts = header(headers, "x-slack-request-timestamp");
  if (value === null || ts === null) return invalid("X-Slack-Signature or X-Slack-Request-Timestamp is missing");
  if (!SECONDS.test(ts)) return invalid("X-Slack-Request-Timestamp is not a Unix time");
  if (!value.startsWith("v0=")) return invalid("X-Slack-Signature does not start with v0=");
  const expected = v.secrets.map((s) => mac("sha256", s, [`v0:${ts}:`, body]));
  if (!anyMatches([decode(value.slice(3), "hex")], expected)) return invalid("X-Slack-Signature matches no secret");
  return inWindow(v, Number(ts), now, false);
}

function shopify(v: Verification, headers: Headers_, body: Uint8Array): VerifyResult {
  // Shopify's newer Events delivery sends the same HMAC under an unprefixed name too.
  const given = [header(headers, "x-shopify-hmac-sha256"), header(headers, "shopify-hmac-sha256")].filter((g) => g !== null);
  if (given.length === 0) return invalid("The X-Shopify-Hmac-Sha256 header is missing");
  const expected = v.secrets.map((s) => mac("sha256", s, [body]));
  return anyMatches(
    given.map((g) => decode(g, "base64")),
    expected,
  )
    ? OK
    : invalid("X-Shopify-Hmac-Sha256 matches no secret");
}

function standardWebhooks(v: Verification, headers: Headers_, body: Uint8Array, now: number): VerifyResult {
  // Svix sends the same scheme under svix-* names; its libraries accept both, and so does Inlet.
  const get = (name: string) => header(headers, `webhook-${name}`) ?? header(headers, `svix-${name}`);
  const id = get("id");
  const ts = get("timestamp");
  const signatures = get("signature");
  if (id === null || ts === null || signatures === null) return invalid("webhook-id, webhook-timestamp or webhook-signature is missing");
  if (!SECONDS.test(ts)) return invalid("webhook-timestamp is not a Unix time");
  // Space-separated `version,base64`; only v1 (HMAC-SHA256) is ours to check (v1a is ed25519).
  const given = signatures
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => decode(s.slice(3), "base64"));
  if (given.length === 0) return invalid("webhook-signature has no v1 signature");
  const expected = v.secrets.map((s) => mac("sha256", standardKey(s)!, [`${id}.${ts}.`, body]));
  if (!anyMatches(given, expected)) return invalid("No v1 signature in webhook-signature matches a secret");
  return inWindow(v, Number(ts), now, false);
}

function hmac(v: Verification, headers: Headers_, body: Uint8Array): VerifyResult {
  const name = v.header!;
  const value = header(headers, name);
  if (value === null) return invalid(`The ${name} header is missing`);
  if (v.prefix && !value.startsWith(v.prefix)) return invalid(`${name} does not start with the configured prefix`);
  const given = decode(value.slice(v.prefix?.length ?? 0), v.encoding ?? "hex");
  const expected = v.secrets.map((s) => mac(v.algorithm ?? "sha256", s, [body]));
  return anyMatches([given], expected) ? OK : invalid(`${name} matches no secret`);
}

/** Whether a request was signed by the webhook's sender. `now` is in milliseconds. */
export function verifySignature(v: Verification, headers: Headers_, body: Uint8Array, now: number): VerifyResult {
  switch (v.scheme) {
    case "github":
      return github(v, headers, body);
    case "gitlab":
      return gitlab(v, headers);
    case "stripe":
      return stripe(v, headers, body, now);
    case "slack":
      return slack(v, headers, body, now);
    case "shopify":
      return shopify(v, headers, body);
    case "standard-webhooks":
      return standardWebhooks(v, headers, body, now);
    case "hmac":
      return hmac(v, headers, body);
  }
}
