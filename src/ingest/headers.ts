// The request headers a template sees, which are also what a default payload and a failure event
// store, so viewers can read them. Headers that carry credentials are dropped, and an Inlet API key
// sent in any other header is cut down to the prefix the service-account list shows.
import { maskApiKeys } from "../auth/keys.ts";

/**
 * Dropped wherever they come from: HTTP authentication (RFC 9110 §11.6.2, §11.7.2), cookies
 * (RFC 6265), the common API-key header, and headers in which senders send a shared secret as is
 * (GitLab's X-Gitlab-Token, OpenStack-style X-Auth-Token). Signature headers (X-Hub-Signature-256,
 * Stripe-Signature) stay: they are HMACs of the body, not the secret, and templates may read them.
 */
export const CREDENTIAL_HEADERS: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "x-api-key",
  "x-auth-token",
  "x-gitlab-token",
];

const DROPPED = new Set(CREDENTIAL_HEADERS);

/** Lowercased names, credential headers dropped, Inlet keys masked. Accepts a request's Headers or a plain mapping. */
export function templateHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (value: string, name: string) => {
    const lower = name.toLowerCase();
    if (!DROPPED.has(lower)) out[lower] = maskApiKeys(value);
  };
  if (headers instanceof Headers) headers.forEach(add);
  else for (const [name, value] of Object.entries(headers)) add(value, name);
  return out;
}
