// `inlet events tail` over the live feed, against a stand-in server that speaks Prefect's
// websocket protocol, so the client's side is pinned down whatever the real feed does.
import { afterEach, describe, expect, test } from "bun:test";
import { ApiClient } from "../../src/cli/client.ts";
import { tailEvents } from "../../src/cli/events-tail.ts";
import type { Event } from "../../src/events/model.ts";
import { inlet } from "../support/cli.ts";
import { waitUntil } from "../support/wait.ts";

const KEY = "inlet_feedfeedfeedfeedfeedfeedfeedfeedfeedfeedfee";

function event(n: number, name = "feed.test"): Event {
  return {
    id: `0190e1c2-0000-7000-8000-${String(n).padStart(12, "0")}`,
    occurred: new Date().toISOString(),
    received: new Date().toISOString(),
    event: name,
    resource: { "prefect.resource.id": `r.${n}` },
    related: [],
    payload: {},
    follows: null,
  };
}

interface Seen {
  protocols: string | null;
  authorization: string | null;
  messages: unknown[];
}

/** A feed that answers auth, then sends `script(ws)` once the filter arrives. */
function fakeFeed(behaviour: {
  rejectAuth?: boolean;
  onFilter: (send: (e: Event) => void, close: (code: number, reason: string) => void) => void;
}) {
  const seen: Seen = { protocols: null, authorization: null, messages: [] };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req, srv) {
      seen.protocols = req.headers.get("sec-websocket-protocol");
      seen.authorization = req.headers.get("authorization");
      if (new URL(req.url).pathname === "/api/events/out" && srv.upgrade(req, { headers: { "sec-websocket-protocol": "prefect" } })) return;
      return Response.json({ error: { code: "not_found", message: "Not found" } }, { status: 404 });
    },
    websocket: {
      message(ws, data) {
        const msg = JSON.parse(String(data));
        seen.messages.push(msg);
        if (msg.type === "auth") {
          if (behaviour.rejectAuth) ws.close(1008, "Invalid token");
          else ws.send(JSON.stringify({ type: "auth_success" }));
        } else if (msg.type === "filter") {
          behaviour.onFilter(
            (e) => ws.send(JSON.stringify({ type: "event", event: e })),
            (code, reason) => ws.close(code, reason),
          );
        }
      },
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) };
}

let current: ReturnType<typeof fakeFeed> | null = null;
afterEach(() => {
  current?.stop();
  current = null;
});

describe("events tail over the live feed", () => {
  test("speaks Prefect's protocol and prints each event once, even when the feed repeats one", async () => {
    current = fakeFeed({
      onFilter: (send) => {
        send(event(1));
        send(event(2));
        send(event(1)); // backfill and live overlap
        send(event(3, "feed.other"));
      },
    });
    const stop = new AbortController();
    let out = "";
    const running = inlet(["events", "tail", "--event", "feed.", "-o", "json"], {
      env: { INLET_API_URL: current.url, INLET_API_KEY: KEY },
      signal: stop.signal,
      onStdout: (all) => void (out = all),
    });
    await waitUntil(() => out.split("\n").filter(Boolean).length === 3, "three lines");
    stop.abort();
    const r = await running;
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).id.slice(-1)),
    ).toEqual(["1", "2", "3"]);
    expect(current.seen.protocols).toBe("prefect");
    expect(current.seen.authorization).toBe(`Bearer ${KEY}`);
    const [auth, filter] = current.seen.messages as [
      { type: string; token: string },
      { type: string; backfill: boolean; filter: { event: unknown; occurred: { since: string; until: string } } },
    ];
    expect(auth).toEqual({ type: "auth", token: KEY });
    expect(filter.type).toBe("filter");
    expect(filter.backfill).toBe(true);
    expect(filter.filter.event).toEqual({ prefix: ["feed."] });
    // since: the last minute; until: far ahead, or no later event would match.
    expect(Date.now() - Date.parse(filter.filter.occurred.since)).toBeGreaterThan(55_000);
    expect(Date.parse(filter.filter.occurred.until) - Date.now()).toBeGreaterThan(300 * 86_400_000);
  });

  test("a refused key (close 1008) → 'Not authenticated', exit 1", async () => {
    current = fakeFeed({ rejectAuth: true, onFilter: () => {} });
    const r = await inlet(["events", "tail"], { env: { INLET_API_URL: current.url, INLET_API_KEY: KEY } });
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: "Not authenticated: run `inlet login --url URL --api-key KEY`\n" });
  });

  test("a refused filter (close 1002) → its reason, exit 1", async () => {
    current = fakeFeed({ onFilter: (_send, close) => close(1002, "Invalid filter: event.prefix: must be a list") });
    const r = await inlet(["events", "tail"], { env: { INLET_API_URL: current.url, INLET_API_KEY: KEY } });
    expect(r).toMatchObject({ code: 1, stderr: "The live feed refused the filter: Invalid filter: event.prefix: must be a list\n" });
  });

  test("a feed that drops is reconnected, asking from the newest event seen, without repeats", async () => {
    let connections = 0;
    current = fakeFeed({
      onFilter: (send, close) => {
        connections++;
        if (connections === 1) {
          send(event(1));
          // The feed drops a moment after sending: part of the scenario, not a wait.
          setTimeout(() => close(1001, "server shutting down"), 20);
        } else {
          send(event(1)); // the backfill of the new connection repeats it
          send(event(2));
        }
      },
    });
    const client = new ApiClient({ url: current.url, apiKey: KEY });
    const seen: string[] = [];
    const notices: string[] = [];
    const stop = new AbortController();
    const done = tailEvents(
      client,
      { occurred: { since: new Date(Date.now() - 60_000).toISOString() } },
      {
        signal: stop.signal,
        onEvent: (e) => seen.push(e.id.slice(-1)),
        onNotice: (t) => notices.push(t),
      },
    );
    await waitUntil(() => seen.length === 2, "two events");
    stop.abort();
    await done;
    expect(seen).toEqual(["1", "2"]);
    expect(notices).toEqual(["Live feed lost; reconnecting (1/10)…"]);
    expect(connections).toBe(2);
  });
});
