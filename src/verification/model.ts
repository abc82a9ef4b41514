// A webhook's `verification`: which scheme its sender signs with, the scheme's settings and up to
// three secrets (so that a rotation never drops traffic). Input is checked here, field by field, so
// that a 422 names the field; secrets never leave this shape except sealed (secret-box.ts).
import { invalid } from "../errors.ts";

export const SCHEMES = ["github", "gitlab", "stripe", "slack", "shopify", "standard-webhooks", "hmac"] as const;
export type Scheme = (typeof SCHEMES)[number];
export const ALGORITHMS = ["sha1", "sha256", "sha512"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
export const ENCODINGS = ["hex", "base64"] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** Secrets active at once: the old and the new during a rotation, and one spare. */
export const MAX_SECRETS = 3;
export const MAX_SECRET_CHARS = 1024;
/** The signed-timestamp window when a webhook sets none: every provider's SDK uses 5 minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
export const MAX_TOLERANCE_SECONDS = 7 * 24 * 3600;
const MAX_HEADER_NAME_CHARS = 200;
const MAX_PREFIX_CHARS = 100;
/** Schemes whose sender signs a timestamp, so that a window applies. */
export const TIMESTAMPED: ReadonlySet<Scheme> = new Set(["stripe", "slack", "standard-webhooks"]);

/** What a webhook's answer shows: everything but the secrets, which are only counted. */
export interface VerificationSettings {
  scheme: Scheme;
  tolerance_seconds?: number;
  /** hmac only. */
  header?: string;
  algorithm?: Algorithm;
  encoding?: Encoding;
  prefix?: string;
}

export interface Verification extends VerificationSettings {
  secrets: string[];
}

export type VerificationView = VerificationSettings & { secret_count: number };

const STANDARD_PREFIX = "whsec_";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(`verification.${field}: must be one of ${allowed.join(", ")}`);
}

function secretsOf(input: Record<string, unknown>, scheme: Scheme, kept: string[] | null): string[] {
  if (input.secret !== undefined && input.secrets !== undefined) throw invalid("verification.secret: give secret or secrets, not both");
  let raw = input.secret !== undefined ? [input.secret] : input.secrets;
  // A rotation started without knowing the stored secrets: they stay, and the new one joins them.
  if (input.add_secret !== undefined) {
    const base = raw ?? kept;
    if (!Array.isArray(base)) throw invalid("verification.add_secret: there are no stored secrets of this scheme to add to");
    raw = [...base, input.add_secret];
  }
  if (raw === undefined && kept) return kept;
  if (!Array.isArray(raw) || raw.length === 0) throw invalid("verification.secrets: at least one secret is required");
  if (raw.length > MAX_SECRETS) throw invalid(`verification.secrets: at most ${MAX_SECRETS} secrets may be active at once`);
  return raw.map((secret, i) => {
    if (typeof secret !== "string" || secret.length === 0 || secret.length > MAX_SECRET_CHARS)
      throw invalid(`verification.secrets[${i}]: must be a string of 1 to ${MAX_SECRET_CHARS} characters`);
    if (scheme === "standard-webhooks" && !standardKey(secret))
      throw invalid(`verification.secrets[${i}]: a Standard Webhooks secret is whsec_ followed by base64`);
    return secret;
  });
}

/** The HMAC key of a Standard Webhooks secret: the base64 after `whsec_` (or bare), decoded. */
export function standardKey(secret: string): Buffer | null {
  const encoded = secret.startsWith(STANDARD_PREFIX) ? secret.slice(STANDARD_PREFIX.length) : secret;
  return BASE64.test(encoded) ? Buffer.from(encoded, "base64") : null;
}

/**
 * The verification a create, PUT or PATCH asks for: null for none. `current` is the webhook's
 * verification before the change: leaving out the secrets keeps them when the scheme is unchanged,
 * so that an editor can change a setting without being shown (or re-entering) a secret.
 */
export function parseVerification(input: unknown, current: Verification | null): Verification | null {
  if (input === null) return null;
  if (typeof input !== "object" || Array.isArray(input)) throw invalid("verification: must be an object or null");
  const body = input as Record<string, unknown>;
  const known = new Set(["scheme", "secret", "secrets", "add_secret", "tolerance_seconds", "header", "algorithm", "encoding", "prefix"]);
  const unknown = Object.keys(body).find((k) => !known.has(k));
  if (unknown) throw invalid(`verification.${unknown}: is not a verification setting`);
  const scheme = oneOf("scheme", body.scheme, SCHEMES);
  const out: Verification = { scheme, secrets: secretsOf(body, scheme, current?.scheme === scheme ? current.secrets : null) };
  if (body.tolerance_seconds !== undefined) {
    const n = body.tolerance_seconds;
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_TOLERANCE_SECONDS)
      throw invalid(`verification.tolerance_seconds: must be a whole number of seconds from 1 to ${MAX_TOLERANCE_SECONDS}`);
    if (!TIMESTAMPED.has(scheme)) throw invalid(`verification.tolerance_seconds: the ${scheme} scheme signs no timestamp`);
    out.tolerance_seconds = n as number;
  }
  const hmacOnly = ["header", "algorithm", "encoding", "prefix"].filter((k) => body[k] !== undefined);
  if (scheme !== "hmac") {
    if (hmacOnly.length > 0) throw invalid(`verification.${hmacOnly[0]}: only the hmac scheme takes it`);
    return out;
  }
  const header = body.header;
  if (typeof header !== "string" || !HEADER_NAME.test(header) || header.length > MAX_HEADER_NAME_CHARS)
    throw invalid("verification.header: the hmac scheme needs the name of the header that holds the signature");
  out.header = header.toLowerCase();
  out.algorithm = body.algorithm === undefined ? "sha256" : oneOf("algorithm", body.algorithm, ALGORITHMS);
  out.encoding = body.encoding === undefined ? "hex" : oneOf("encoding", body.encoding, ENCODINGS);
  if (body.prefix !== undefined && body.prefix !== "") {
    if (typeof body.prefix !== "string" || body.prefix.length > MAX_PREFIX_CHARS)
      throw invalid(`verification.prefix: must be a string of at most ${MAX_PREFIX_CHARS} characters`);
    out.prefix = body.prefix;
  }
  return out;
}

/** The verification as answers show it: the settings, and how many secrets (never the secrets). */
export function verificationView(v: Verification | null): VerificationView | null {
  if (!v) return null;
  const { secrets, ...settings } = v;
  return { ...settings, secret_count: secrets.length };
}
