// Content-Encoding: a body sent gzip-, deflate- or brotli-compressed is decoded before the template
// sees it, and the size limit applies to the decoded bytes, so a small "compression bomb" is
// refused once it passes the limit, without ever being inflated whole. Signatures are checked on
// the bytes as sent, before this (a sender signs what it transmits).
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { BodyTooLargeError } from "./body.ts";

/** The body's bytes are not in the encoding its header names. */
export class BodyEncodingError extends Error {}

const DECODERS: Record<string, (bytes: Uint8Array, max: number) => Uint8Array> = {
  gzip: (bytes, max) => gunzipSync(bytes, { maxOutputLength: max }),
  "x-gzip": (bytes, max) => gunzipSync(bytes, { maxOutputLength: max }),
  br: (bytes, max) => brotliDecompressSync(bytes, { maxOutputLength: max }),
  // RFC 9110's deflate is zlib-wrapped; some senders send the raw stream, which is accepted too.
  deflate: (bytes, max) => {
    try {
      return inflateSync(bytes, { maxOutputLength: max });
    } catch (err) {
      if ((err as { code?: string }).code !== "Z_DATA_ERROR") throw err;
      return inflateRawSync(bytes, { maxOutputLength: max });
    }
  },
};

/**
 * The body decoded from the codings its Content-Encoding lists (last applied first), at most
 * `limit` bytes. `identity` and an empty header leave it as it is; a coding Inlet does not know
 * leaves it as sent too, as the template's raw bytes. Throws BodyTooLargeError past the limit and
 * BodyEncodingError for bytes that are not in the named encoding.
 */
export function decodeBody(contentEncoding: string | null, bytes: Uint8Array, limit: number): Uint8Array {
  if (!contentEncoding || bytes.byteLength === 0) return bytes;
  const codings = contentEncoding
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  if (codings.length === 0 || codings.some((c) => !DECODERS[c])) return bytes;
  let out = bytes;
  for (const coding of codings.reverse()) {
    try {
      out = DECODERS[coding]!(out, limit);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "ERR_BUFFER_TOO_LARGE") throw new BodyTooLargeError(limit, true);
      throw new BodyEncodingError(`The body is not valid ${coding} (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return out;
}
