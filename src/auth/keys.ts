// API keys: 32 random bytes, shown once, stored as a SHA-256 hash and compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const KEY_PREFIX = "inlet_";
/** 32 bytes in base64url, unpadded. */
const KEY_BODY = "[A-Za-z0-9_-]{43}";
const KEY_PATTERN = new RegExp(`^${KEY_PREFIX}${KEY_BODY}$`);
const KEY_ANYWHERE = new RegExp(`${KEY_PREFIX}${KEY_BODY}`, "g");

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

/** A key is long and random, so one round of SHA-256 is enough (no password stretching needed). */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Rejects anything that is not shaped like one of our keys before it reaches the database. */
export function isWellFormedKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The characters of a key that are safe to show again (for telling keys apart). */
export const displayPrefix = (key: string) => key.slice(0, KEY_PREFIX.length + 6);

/** The text with every key in it cut down to its display prefix and an ellipsis. */
export const maskApiKeys = (text: string) => text.replace(KEY_ANYWHERE, (key) => `${displayPrefix(key)}…`);

/** Extracts the token of `Authorization: Bearer <token>` (scheme case-insensitive), or null. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return m ? m[1]! : null;
}
