// --max-header-count and --max-header-bytes over raw sockets: past either, 431 and the connection
// closed, before routing, authentication or a body is read; hooks stay quiet, the API says why.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rawHead, rawRequest, startLoggedServer, type LoggedServer } from "../support/raw-http.ts";

const MAX_COUNT = 20;
const MAX_BYTES = 2048;

const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X-Extra-${i}`, "v"]));

describe("header limits", () => {
  let srv: LoggedServer;
  beforeAll(async () => void (srv = await startLoggedServer({ maxHeaderCount: MAX_COUNT, maxHeaderBytes: MAX_BYTES })));
  afterAll(() => srv.stop());

  test("more headers than the count → 431 with the catalogue's body, and the connection closed", async () => {
    const res = await rawRequest(srv.port, rawHead("GET", "/api/health", { Host: "localhost", ...many(MAX_COUNT) }));
    expect(res.status).toBe(431);
    expect(res.headers.connection).toBe("close");
    expect(res.headers["x-request-id"]).toBeTruthy();
    expect(JSON.parse(res.body)).toEqual({
      error: { code: "headers_too_large", message: "The request's headers are too many or too large" },
    });
  });

  test("more header bytes than the limit → 431; a hook's answer has no body", async () => {
    const big = { Host: "localhost", "X-Big": "a".repeat(MAX_BYTES) };
    const api = await rawRequest(srv.port, rawHead("GET", "/api/health", big));
    expect(api.status).toBe(431);
    const hook = await rawRequest(srv.port, rawHead("POST", `/hooks/${"s".repeat(22)}`, big, "{}"));
    expect(hook.status).toBe(431);
    expect(hook.body).toBe("");
  });

  test("just under both limits is answered as usual; refusals are counted and logged without the headers", async () => {
    const before = srv.server.refusals.headers;
    const res = await rawRequest(srv.port, rawHead("GET", "/api/health", { Host: "localhost", ...many(MAX_COUNT - 3) }));
    expect(res.status).toBe(200);
    const big = await rawRequest(srv.port, rawHead("GET", "/api/health", { Host: "localhost", "X-Big": "secret-".repeat(400) }));
    expect(big.status).toBe(431);
    expect(srv.server.refusals.headers).toBe(before + 1);
    expect(srv.lines.some((l) => /GET \/api\/health 431 .*bytes of headers, more than 2048/.test(l))).toBe(true);
    expect(srv.lines.join("\n")).not.toContain("secret-");
  });

  test("a header section past the runtime's own 16 KiB ceiling is refused too", async () => {
    const res = await rawRequest(srv.port, rawHead("GET", "/api/health", { Host: "localhost", "X-Huge": "a".repeat(40_000) }));
    expect(res.status).toBe(431);
  });
});
