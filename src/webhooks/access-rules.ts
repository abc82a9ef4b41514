// Who may send to a webhook, and how fast: an allowlist of client addresses (GitHub and Stripe
// publish theirs) and a rate limit. Parsed from a client's JSON with a 422 naming the field, kept
// as JSON, and read back on every hook request through a small cache (rules change rarely).
import { invalid } from "../errors.ts";
import { CidrError, CidrList, parseCidr } from "../http/cidr.ts";

export interface RateLimit {
  per_minute: number;
  /** Requests that may arrive at once before the rate applies; per_minute when not given. */
  burst: number;
}

export interface WebhookAccessRules {
  allowedIps: CidrList | null;
  rateLimit: RateLimit | null;
}

export const MAX_ALLOWED_RANGES = 200;
export const MAX_PER_MINUTE = 1_000_000;

/** `allowed_ips` as a client sends it: null (any), or a list of addresses and CIDR ranges. Returns the JSON to store. */
export function allowedIpsColumn(value: unknown): string | null {
  if (value === null) return null;
  if (!Array.isArray(value)) throw invalid("allowed_ips: must be a list of addresses or CIDR ranges, or null");
  if (value.length === 0) throw invalid("allowed_ips: an empty list would refuse every sender; use null to allow any");
  if (value.length > MAX_ALLOWED_RANGES) throw invalid(`allowed_ips: at most ${MAX_ALLOWED_RANGES} ranges`);
  const ranges = value.map((entry, i) => {
    if (typeof entry !== "string") throw invalid(`allowed_ips[${i}]: must be a string such as "192.0.2.0/24"`);
    try {
      parseCidr(entry.trim());
    } catch (err) {
      if (err instanceof CidrError) throw invalid(`allowed_ips[${i}]: ${err.message}`);
      throw err;
    }
    return entry.trim();
  });
  return JSON.stringify(ranges);
}

/** `rate_limit` as a client sends it: null (none), or `{"per_minute": n, "burst"?: n}`. Returns the JSON to store. */
export function rateLimitColumn(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw invalid('rate_limit: must be {"per_minute": n, "burst"?: n}, or null');
  const { per_minute, burst, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw invalid(`rate_limit.${unknown}: is not a setting (settings: per_minute, burst)`);
  const whole = (name: string, n: unknown) => {
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_PER_MINUTE)
      throw invalid(`rate_limit.${name}: must be a whole number from 1 to ${MAX_PER_MINUTE}`);
    return n as number;
  };
  const perMinute = whole("per_minute", per_minute);
  return JSON.stringify({ per_minute: perMinute, burst: burst === undefined ? perMinute : whole("burst", burst) });
}

const cache = new Map<string, WebhookAccessRules[keyof WebhookAccessRules]>();
const CACHE_LIMIT = 10_000;

function cached<T extends WebhookAccessRules[keyof WebhookAccessRules]>(json: string, parse: (json: string) => T): T {
  let hit = cache.get(json) as T | undefined;
  if (hit === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    hit = parse(json);
    cache.set(json, hit);
  }
  return hit;
}

/** The stored columns as ingestion uses them. */
export function parseAccessRules(allowedIps: string | null, rateLimit: string | null): WebhookAccessRules {
  return {
    allowedIps: allowedIps ? cached(`ips:${allowedIps}`, () => CidrList.parse(JSON.parse(allowedIps) as string[])) : null,
    rateLimit: rateLimit ? cached(`rate:${rateLimit}`, () => JSON.parse(rateLimit) as RateLimit) : null,
  };
}
