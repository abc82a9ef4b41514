// What the fuzz suite sends: malformed HTTP as raw bytes, odd bodies to hooks and the API, and random
// event filters. Each generator draws only from the Random it is given.
import { gzipSync } from "node:zlib";
import type { Random } from "./random.ts";

export interface RawCase {
  kind: string;
  bytes: Uint8Array;
}

const enc = new TextEncoder();
const cat = (...parts: (string | Uint8Array)[]) => {
  const arrays = parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p));
  return new Uint8Array(Buffer.concat(arrays));
};

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "CONNECT", "BREW", "get", "", "P\0ST"];

/** A request written by hand, malformed in one or more ways. */
export function rawCase(r: Random, paths: string[]): RawCase {
  const kind = r.pick(["line", "utf8", "headers-many", "header-huge", "truncated", "chunked", "smuggle", "garbage", "fold"] as const);
  const path = r.pick([...paths, "/", "/api/events/filter", `/hooks/${r.text(30)}`, "*", "//", "/%zz", "/..%2f..%2fetc/passwd"]);
  const method = r.pick(METHODS);
  const version = r.pick(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1 extra", "HTTP/9", ""]);
  const host = r.chance(0.8) ? "Host: localhost\r\n" : r.pick(["", "Host:\r\n", "Host: a b\r\n", "Host: localhost\r\nHost: other\r\n"]);
  const close = "Connection: close\r\n";
  switch (kind) {
    case "line":
      return { kind, bytes: cat(`${method} ${path} ${version}\r\n`, host, close, "\r\n") };
    case "utf8":
      // Invalid UTF-8 in the path, a header name and a header value.
      return {
        kind,
        bytes: cat(
          "POST /hooks/",
          r.bytes(8),
          " HTTP/1.1\r\n",
          host,
          "X-",
          r.bytes(4),
          ": ",
          r.bytes(16),
          "\r\nContent-Length: 4\r\n",
          close,
          "\r\n",
          r.bytes(4),
        ),
      };
    case "headers-many": {
      const n = r.pick([50, 101, 150, 199, 400]);
      const lines = Array.from({ length: n }, (_, i) => `X-H${r.chance(0.3) ? 0 : i}: ${r.text(8).replace(/[\r\n\0]/g, "")}\r\n`).join("");
      return { kind, bytes: cat(`GET /api/health HTTP/1.1\r\n`, host, lines, close, "\r\n") };
    }
    case "header-huge":
      return {
        kind,
        bytes: cat(
          `GET ${path} HTTP/1.1\r\n`,
          host,
          `X-Big: ${"a".repeat(r.pick([4000, 9000, 16_000, 20_000, 70_000]))}\r\n`,
          close,
          "\r\n",
        ),
      };
    case "truncated": {
      const declared = r.pick([10, 1000, 100_000]);
      return {
        kind,
        bytes: cat(
          `POST ${path} HTTP/1.1\r\n`,
          host,
          "Content-Type: application/json\r\n",
          `Content-Length: ${declared}\r\n`,
          close,
          "\r\n",
          '{"a": ',
        ),
      };
    }
    case "chunked": {
      const size = r.pick(["5", "zz", "-1", "ffffffffffffffff", "5;ext=1", "0", ""]);
      const tail = r.pick(["0\r\n\r\n", "", "0\r\nX-Trailer: 1\r\n\r\n", "5\r\nabc"]);
      return {
        kind,
        bytes: cat(`POST ${path} HTTP/1.1\r\n`, host, "Transfer-Encoding: chunked\r\n", close, "\r\n", `${size}\r\nhello\r\n`, tail),
      };
    }
    case "smuggle":
      return {
        kind,
        bytes: cat(
          `POST ${path} HTTP/1.1\r\n`,
          host,
          "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
          r.chance(0.5) ? "Content-Length: 9\r\n" : "",
          close,
          "\r\n0\r\n\r\nGET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n",
        ),
      };
    case "fold":
      return {
        kind,
        bytes: cat(`GET /api/health HTTP/1.1\r\n`, host, "X-A: one\r\n two\r\n", "Bad Header Line\r\n", ":empty-name\r\n", close, "\r\n"),
      };
    default:
      return { kind, bytes: r.chance(0.5) ? r.bytes(r.int(2000)) : cat(r.bytes(r.int(64)), "\r\n\r\n") };
  }
}

export interface BodyCase {
  kind: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Nested arrays and objects, `depth` deep. */
export const deepJson = (depth: number, r: Random) => {
  let s = "1";
  for (let i = 0; i < depth; i++) s = r.chance(0.5) ? `[${s}]` : `{"a":${s}}`;
  return s;
};

/** A body for a hook or an API route: odd content types, invalid UTF-8, deep JSON, a gzip bomb. */
export function bodyCase(r: Random): BodyCase {
  const kind = r.pick(["json", "deep", "utf8", "type", "form", "bomb", "big", "empty", "multipart"] as const);
  const type = r.pick([
    "application/json",
    "application/json; charset=latin1",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/xml",
    "application/cloudevents+json",
    "application/octet-stream",
    "image/png",
    "",
    ";;;",
    'application/json; charset=utf-8; boundary="x"',
  ]);
  const headers: Record<string, string> = type ? { "content-type": type } : {};
  switch (kind) {
    case "json":
      return { kind, headers, body: enc.encode(JSON.stringify(randomJson(r, 4))) };
    case "deep":
      return {
        kind,
        headers: { "content-type": "application/json" },
        body: enc.encode(deepJson(r.pick([31, 33, 200, 1001, 1002, 20_000]), r)),
      };
    case "utf8":
      return { kind, headers, body: cat('{"a": "', r.bytes(32), '"}') };
    case "form":
      return {
        kind,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: enc.encode(`a=${r.text()}&b=%zz&&=&c[]=1&c[x]=2`),
      };
    case "bomb":
      // 16 MiB of zeros in ~16 KiB: if anything decoded Content-Encoding, memory would show it.
      return {
        kind,
        headers: { ...headers, "content-encoding": r.pick(["gzip", "deflate", "br", "gzip, gzip"]) },
        body: gzipSync(Buffer.alloc(16 * 2 ** 20)),
      };
    case "big":
      return { kind, headers, body: new Uint8Array(r.pick([65_535, 65_536, 65_537, 300_000])).fill(0x7b) };
    case "multipart":
      return {
        kind,
        headers: { "content-type": "multipart/form-data; boundary=xyz" },
        body: enc.encode(`--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n${r.text()}\r\n--x`),
      };
    default:
      return { kind, headers, body: new Uint8Array(0) };
  }
}

export function randomJson(r: Random, depth: number): unknown {
  const leaf = () =>
    r.pick([
      () => r.text(),
      () => r.int(1e6) - 5e5,
      () => r.next() * 1e300,
      () => null,
      () => r.chance(0.5),
      () => 2 ** 64,
      () => "1970-01-01T00:00:00Z",
    ])();
  if (depth <= 0 || r.chance(0.3)) return leaf();
  if (r.chance(0.5)) return Array.from({ length: r.int(4) }, () => randomJson(r, depth - 1));
  return Object.fromEntries(
    Array.from({ length: r.int(4) }, () => [
      r.chance(0.7) ? r.text(8) : r.pick(["id", "event", "resource", "$ref", "__proto__"]),
      randomJson(r, depth - 1),
    ]),
  );
}

const FILTER_KEYS = ["occurred", "event", "resource", "related", "any_resource", "id", "text", "order"];
const SUB_KEYS: Record<string, string[]> = {
  occurred: ["since", "until"],
  event: ["prefix", "exclude_prefix", "name", "exclude_name"],
  resource: ["id", "id_prefix", "labels", "distinct"],
  related: ["id", "role", "resources_in_roles", "labels"],
  any_resource: ["id", "id_prefix", "labels"],
  id: ["id"],
  text: ["query"],
};

function filterValue(r: Random, key: string): unknown {
  switch (r.int(8)) {
    case 0:
      return r.text(40);
    case 1:
      return Array.from({ length: r.int(6) }, () =>
        r.chance(0.8) ? r.pick(["a*", "!b", "[x-z]?", "prefect.", "", "*", "\\", r.text(10)]) : r.int(100),
      );
    case 2:
      return { [r.pick(["prefect.resource.id", "k", r.text(6)])]: r.chance(0.5) ? r.text(10) : [r.text(5), `!${r.text(5)}`] };
    case 3:
      return r.pick([new Date(r.int(2 ** 42)).toISOString(), "2026-13-45T99:99:99Z", "now", "-1", 1e20]);
    case 4:
      return key === "query" ? r.pick(['"unclosed', "+a -b c", "-".repeat(200), "a ".repeat(300), r.text(200)]) : null;
    case 5:
      return Array.from({ length: r.pick([0, 1, 999, 1001, 3000]) }, (_, i) => `v${i}`);
    default:
      return randomJson(r, 2);
  }
}

/** A request body for POST /api/events/filter: mostly well-formed keys with odd values, sometimes junk. */
export function filterBody(r: Random): unknown {
  if (r.chance(0.05)) return randomJson(r, 3);
  const filter: Record<string, unknown> = {};
  for (const key of FILTER_KEYS) {
    if (!r.chance(0.35)) continue;
    if (key === "order") filter.order = r.pick(["DESC", "ASC", "asc", 1, null]);
    else if (key === "related" && r.chance(0.3)) filter.related = [{ role: r.text(6) }, { id: [r.text(6)] }];
    else filter[key] = Object.fromEntries((SUB_KEYS[key] ?? []).filter(() => r.chance(0.5)).map((sub) => [sub, filterValue(r, sub)]));
  }
  if (r.chance(0.1)) filter[r.text(6)] = r.text(6);
  const body: Record<string, unknown> = { filter };
  if (r.chance(0.5)) body.limit = r.pick([1, 50, 51, 0, -1, 2.5, "10", 1e9]);
  return body;
}
