// A request kept with its event (GET /api/events/{id}/request): as a sample for the playground, and
// as the curl command that sends it again.
import type { StoredRequest } from "../../../src/events/store/event-store.ts";
import type { SampleRequest } from "./starters.ts";

export type { StoredRequest };

/** Headers curl sets itself (or that describe this one delivery), left out of "copy as curl". */
const CURL_SETS = new Set(["host", "content-length", "connection", "transfer-encoding", "accept-encoding", "user-agent"]);

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export function curlCommand(r: StoredRequest, hookUrl: string): string {
  const url = r.query ? `${hookUrl}?${r.query}` : hookUrl;
  const parts = [`curl -X ${r.method} ${quote(url)}`];
  for (const [k, v] of Object.entries(r.headers)) if (!CURL_SETS.has(k.toLowerCase())) parts.push(`-H ${quote(`${k}: ${v}`)}`);
  if (!r.body) return parts.join(" \\\n  ");
  if (r.body_encoding === "utf-8") return [...parts, `--data-binary ${quote(r.body)}`].join(" \\\n  ");
  // Bytes that are not text travel as base64 and are decoded on the way into curl.
  return `printf %s ${quote(r.body)} | base64 -d | ${[...parts, "--data-binary @-"].join(" \\\n  ")}`;
}

/** The body for reading: JSON pretty-printed, other text as it is, bytes as a note. */
export function readableBody(r: StoredRequest): string {
  if (r.body_encoding === "base64") return `(${Math.floor((r.body.length * 3) / 4)} bytes that are not UTF-8 text)`;
  try {
    return JSON.stringify(JSON.parse(r.body), null, 2);
  } catch {
    return r.body;
  }
}

export function sampleFromStored(r: StoredRequest): SampleRequest | null {
  if (r.body_encoding !== "utf-8") return null;
  const headers = Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
  return { method: r.method, headers, query: r.query, body: r.body };
}
