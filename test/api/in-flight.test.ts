// --max-requests-in-flight over real sockets: past the cap every client is answered 503 with
// Retry-After and the connection closed (a sender retries; memory stays bounded, since each request
// in flight may hold a body), liveness still answers, and a freed place is usable again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rawConnection, rawHead, rawRequest, startLoggedServer, type LoggedServer, type RawConnection } from "../support/raw-http.ts";
import { waitUntil } from "../support/wait.ts";

const CAP = 3;

describe("--max-requests-in-flight", () => {
  let srv: LoggedServer;
  beforeAll(async () => void (srv = await startLoggedServer({ maxRequestsInFlight: CAP, bodyTimeoutMs: 60_000 })));
  afterAll(() => srv.stop());

  /** A request whose body never comes: it stays in flight until its socket is destroyed. */
  async function hold(from: string): Promise<RawConnection> {
    const conn = await rawConnection(srv.port, from);
    conn.socket.write("POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
    return conn;
  }

  test("past the cap, hooks and the API get 503 + Retry-After from any address; health answers; a freed place serves again", async () => {
    // From several addresses, so that the per-address cap is not what refuses.
    const held = await Promise.all(["127.0.0.2", "127.0.0.3", "127.0.0.4"].map(hold));
    await waitUntil(() => srv.server.requestsInProgress() === CAP, "the held requests to be in flight");

    const hook = await rawRequest(srv.port, rawHead("POST", `/hooks/${"s".repeat(22)}`, { Host: "localhost" }, "{}"));
    expect(hook.status).toBe(503);
    expect(hook.headers["retry-after"]).toBe("1");
    expect(hook.body).toBe("");
    const api = await rawRequest(srv.port, rawHead("GET", "/api/webhooks/x", { Host: "localhost" }));
    expect(api.status).toBe(503);
    expect(api.headers.connection).toBe("close");
    expect(JSON.parse(api.body).error.code).toBe("unavailable");
    expect((await fetch(`${srv.server.url}/api/health`)).status).toBe(200);
    expect(srv.server.refusals.in_flight).toBe(2);

    held[0]!.socket.destroy();
    await waitUntil(() => srv.server.requestsInProgress() === CAP - 1, "a place to be freed");
    expect((await fetch(`${srv.server.url}/api/ready`)).status).toBe(200);
    for (const c of held) c.socket.destroy();
    await waitUntil(() => srv.server.requestsInProgress() === 0, "every request to end");
  });
});
