// A client's destination settings, checked per type and split into what may be shown and what is
// write-only. Every message names its field (`config.url: …`); a secret is never echoed back.
import { invalid } from "../../errors.ts";
import { isMetadataAddress } from "../worker/address.ts";
import { EMAIL_SECURITY, SECRET_FIELDS, WEBHOOK_METHODS, type ConfigOf, type DestinationType, type SecretsOf } from "./model.ts";

export interface Settings<T extends DestinationType = DestinationType> {
  config: ConfigOf[T];
  secrets: SecretsOf[T];
}

const MAX_URL_CHARS = 2048;
const MAX_TEXT_CHARS = 1000;
const MAX_HEADERS = 50;
const MAX_TAGS = 20;
export const MAX_BODY_TEMPLATE_CHARS = 65_536;

type Input = Record<string, unknown>;

function text(input: Input, field: string, opts: { optional?: boolean; max?: number } = {}): string | undefined {
  const value = input[field];
  if (value === undefined || value === null || value === "") {
    if (opts.optional) return undefined;
    throw invalid(`config.${field}: is required`);
  }
  if (typeof value !== "string") throw invalid(`config.${field}: must be a string`);
  if (value.length > (opts.max ?? MAX_TEXT_CHARS))
    throw invalid(`config.${field}: is longer than ${opts.max ?? MAX_TEXT_CHARS} characters`);
  return value;
}

/** An http(s) URL; a literal link-local metadata address is refused here already (the worker checks names too). */
function url(input: Input, field: string): string {
  const value = text(input, field, { max: MAX_URL_CHARS })!;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalid(`config.${field}: is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw invalid(`config.${field}: must be an http or https URL`);
  if (parsed.username || parsed.password) throw invalid(`config.${field}: must not carry a user name or password`);
  if (isMetadataAddress(parsed.hostname)) throw invalid(`config.${field}: link-local metadata addresses are refused`);
  return value;
}

function integer(input: Input, field: string, min: number, max: number, fallback: number): number {
  const value = input[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw invalid(`config.${field}: must be a whole number from ${min} to ${max}`);
  return value;
}

function oneOf<const V extends readonly string[]>(input: Input, field: string, values: V, fallback: V[number]): V[number] {
  const value = input[field] ?? fallback;
  if (typeof value !== "string" || !values.includes(value)) throw invalid(`config.${field}: must be one of ${values.join(", ")}`);
  return value as V[number];
}

function strings(input: Input, field: string, max: number): string[] {
  const value = input[field] ?? [];
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length > max || list.some((v) => typeof v !== "string" || v.length === 0 || v.length > 200))
    throw invalid(`config.${field}: must be a list of at most ${max} non-empty strings`);
  return list as string[];
}

// RFC 9110 §5.6.2 token characters; values without control characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const HEADER_VALUE = /^[^\0\r\n]{0,4000}$/;
/** Set by the worker on every webhook request; a destination may not override them. */
const RESERVED_HEADERS = new Set(["webhook-id", "webhook-timestamp", "webhook-signature", "host", "content-length", "transfer-encoding"]);

function headers(input: Input): Record<string, string> | undefined {
  const value = input.headers;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw invalid("config.headers: must be an object of header names to values");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) throw invalid(`config.headers: at most ${MAX_HEADERS} headers`);
  const out: Record<string, string> = {};
  for (const [name, v] of entries) {
    if (!HEADER_NAME.test(name)) throw invalid(`config.headers: "${name.slice(0, 100)}" is not a header name`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw invalid(`config.headers: ${name} is set by Inlet`);
    if (typeof v !== "string" || !HEADER_VALUE.test(v)) throw invalid(`config.headers: the value of ${name} must be a single-line string`);
    out[name] = v;
  }
  return out;
}

const EMAIL_ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

function emails(input: Input, field: string): string[] {
  const list = strings(input, field, 50);
  if (list.length === 0) throw invalid(`config.${field}: is required`);
  for (const address of list)
    if (!EMAIL_ADDRESS.test(address)) throw invalid(`config.${field}: "${address.slice(0, 200)}" is not an email address`);
  return list;
}

const HOST_NAME = /^[A-Za-z0-9.-]{1,253}$|^\[?[0-9A-Fa-f:.]+\]?$/;

const PARSERS: { [T in DestinationType]: (input: Input, templateProblem: (source: string) => string | null) => Settings<T> } = {
  webhook: (input, templateProblem) => {
    const body_template = text(input, "body_template", { optional: true, max: MAX_BODY_TEMPLATE_CHARS }) ?? null;
    if (body_template !== null) {
      const problem = templateProblem(body_template);
      if (problem) throw invalid(`config.body_template: ${problem}`);
    }
    const h = headers(input);
    return {
      config: { method: oneOf(input, "method", WEBHOOK_METHODS, "POST"), url: url(input, "url"), body_template },
      secrets: h ? { headers: h } : {},
    };
  },
  slack: (input) => ({ config: {}, secrets: { url: url(input, "url") } }),
  discord: (input) => ({ config: {}, secrets: { url: url(input, "url") } }),
  teams: (input) => ({ config: {}, secrets: { url: url(input, "url") } }),
  ntfy: (input) => {
    const topic = text(input, "topic", { max: 64 })!;
    if (!/^[-_A-Za-z0-9]+$/.test(topic)) throw invalid("config.topic: letters, digits, - and _ only");
    const token = text(input, "token", { optional: true });
    return {
      config: {
        server: url(input, "server"),
        topic,
        priority: integer(input, "priority", 1, 5, 3),
        tags: strings(input, "tags", MAX_TAGS),
      },
      secrets: token ? { token } : {},
    };
  },
  gotify: (input) => ({
    config: { server: url(input, "server"), priority: integer(input, "priority", 0, 10, 5) },
    secrets: { token: text(input, "token")! },
  }),
  email: (input) => {
    const host = text(input, "host", { max: 253 })!;
    if (!HOST_NAME.test(host)) throw invalid("config.host: is not a host name");
    if (isMetadataAddress(host)) throw invalid("config.host: link-local metadata addresses are refused");
    const security = oneOf(input, "security", EMAIL_SECURITY, "starttls");
    const password = text(input, "password", { optional: true });
    const from = text(input, "from", { max: 320 })!;
    if (!EMAIL_ADDRESS.test(from)) throw invalid("config.from: is not an email address");
    return {
      config: {
        host,
        port: integer(input, "port", 1, 65535, security === "tls" ? 465 : 587),
        security,
        user: text(input, "user", { optional: true, max: 320 }) ?? null,
        from,
        to: emails(input, "to"),
      },
      secrets: password ? { password } : {},
    };
  },
};

const ALLOWED_FIELDS: { [T in DestinationType]: readonly string[] } = {
  webhook: ["method", "url", "body_template", "headers"],
  slack: ["url"],
  discord: ["url"],
  teams: ["url"],
  ntfy: ["server", "topic", "priority", "tags", "token"],
  gotify: ["server", "priority", "token"],
  email: ["host", "port", "security", "user", "password", "from", "to"],
};

/**
 * Checks a client's settings for a destination of `type`. Secret fields left out keep their
 * `stored` values (a PUT need not send a secret again). `templateProblem` says why a template does
 * not compile, or null.
 */
export function parseSettings(
  type: DestinationType,
  input: unknown,
  templateProblem: (source: string) => string | null,
  stored?: Record<string, unknown>,
): Settings {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw invalid("config: must be an object");
  const given = input as Input;
  const unknown = Object.keys(given).find((k) => !ALLOWED_FIELDS[type].includes(k));
  if (unknown)
    throw invalid(`config.${unknown.slice(0, 100)}: is not a setting of a ${type} destination (${ALLOWED_FIELDS[type].join(", ")})`);
  const merged: Input = { ...given };
  for (const field of SECRET_FIELDS[type]) if (merged[field] === undefined && stored?.[field] !== undefined) merged[field] = stored[field];
  return PARSERS[type](merged, templateProblem) as Settings;
}
