// `{{ body|from_cloud_event(headers) }}` (docs/templates.md): a CloudEvent received over
// the HTTP binding (v1.0.2), structured or binary mode, becomes a partial Prefect event, returned
// as JSON text (Markup: printed raw, since it is already JSON).
import { fail } from "./errors.ts";
import { isCaseInsensitive, isMapping, isString, parseJson, Safe, type Dict } from "./python.ts";

const REQUIRED_ATTRIBUTES = ["specversion", "id", "source", "type"] as const;

function header(headers: unknown, name: string): string | undefined {
  if (!isMapping(headers)) return undefined;
  if (isCaseInsensitive(headers)) return isString(headers[name]) ? String(headers[name]) : undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key !== undefined && isString(headers[key]) ? String(headers[key]) : undefined;
}

/** Binding §3.1.3.2: unquote an RFC 7230 quoted-string, then one round of percent-decoding. */
function decodeHeader(name: string, raw: string): string {
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, "$1");
  try {
    return decodeURIComponent(value);
  } catch {
    return fail(`from_cloud_event: header '${name}' is not valid percent-encoded UTF-8`);
  }
}

function jsonOrText(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}

function decodeBase64(encoded: unknown): unknown {
  if (!isString(encoded)) return fail("from_cloud_event: data_base64 must be a string");
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(String(encoded).replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    return fail("from_cloud_event: data_base64 is not valid base64");
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  return jsonOrText(text);
}

function structured(body: unknown): Dict {
  const ce = isString(body) ? jsonOrText(String(body)) : body;
  if (!isMapping(ce)) return fail("from_cloud_event: a structured-mode CloudEvent body must be a JSON object");
  return ce;
}

function binary(body: unknown, headers: unknown, contentType: string | undefined): Dict {
  const ce: Dict = {};
  if (isMapping(headers)) {
    for (const key of Object.keys(headers)) {
      const lower = key.toLowerCase();
      if (lower.startsWith("ce-") && lower.length > 3 && isString(headers[key])) {
        ce[lower.slice(3)] = decodeHeader(key, String(headers[key]));
      }
    }
  }
  if (contentType !== undefined) ce.datacontenttype = contentType;
  ce.data = body === "" || body === undefined ? null : body;
  return ce;
}

export function fromCloudEvent(body: unknown, headers: unknown): Safe {
  const contentType = header(headers, "content-type");
  const mode = contentType?.trim().toLowerCase() ?? "";
  if (mode.startsWith("application/cloudevents-batch")) {
    fail("from_cloud_event: batched CloudEvents are not supported; index the batch (body[0]) in the template instead");
  }
  const ce = mode.startsWith("application/cloudevents") ? structured(body) : binary(body, headers, contentType);
  const missing = REQUIRED_ATTRIBUTES.filter((a) => !isString(ce[a]) || String(ce[a]) === "");
  if (missing.length) {
    fail(`from_cloud_event: the CloudEvent lacks required attribute(s) ${missing.join(", ")}`);
  }
  if (ce.specversion !== "1.0" && ce.specversion !== "0.3") {
    fail(`from_cloud_event: unsupported CloudEvents specversion '${String(ce.specversion)}'`);
  }
  const data = Object.hasOwn(ce, "data_base64") && !Object.hasOwn(ce, "data") ? decodeBase64(ce.data_base64) : (ce.data ?? null);
  const attributes: Dict = {};
  for (const k of Object.keys(ce)) if (k !== "data" && k !== "data_base64") attributes[k] = ce[k];
  const subject = isString(ce.subject) && String(ce.subject) !== "" ? String(ce.subject) : null;
  const event: Dict = {
    event: String(ce.type),
    resource: { "prefect.resource.id": subject ?? String(ce.source) },
    ...(isString(ce.time) && String(ce.time) !== "" ? { occurred: String(ce.time) } : {}),
    payload: { data, cloudevents: attributes },
  };
  return new Safe(JSON.stringify(event));
}
