// Live events: Prefect's websocket (WS /api/events/out, authenticated by the session cookie) when
// the server offers it, else polling the filter API every 2 s. Either way the caller gets batches
// of events and de-duplicates by id.
import { parseJsonExact } from "../../../src/json.ts";
import { api, type EventPage, type InletEvent } from "../api.ts";

export type LiveStatus = "connecting" | "live" | "polling";

const POLL_MS = 2000;
const WS_RETRY_MS = 30_000;

export function subscribe(filter: Record<string, unknown>, onEvents: (events: InletEvent[]) => void, onStatus: (s: LiveStatus) => void): () => void {
  let closed = false;
  let ws: WebSocket | null = null;
  let pollTimer: ReturnType<typeof setInterval> | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const poll = async () => {
    try {
      const page = await api<EventPage>("POST", "/api/events/filter", { filter, limit: 50 });
      if (!closed) onEvents(page.events);
    } catch {
      /* the next tick tries again; the page shows its own errors on load */
    }
  };
  const startPolling = () => {
    if (closed || pollTimer) return;
    onStatus("polling");
    pollTimer = setInterval(poll, POLL_MS);
  };
  const stopPolling = () => {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  };

  const tryWebsocket = () => {
    if (closed) return;
    let authed = false;
    try {
      ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/events/out`, "prefect");
    } catch {
      startPolling();
      return;
    }
    // The cookie authenticates the upgrade; the protocol still wants an auth message (token null).
    ws.onopen = () => ws?.send(JSON.stringify({ type: "auth", token: null }));
    ws.onmessage = (m) => {
      let msg: { type?: string; event?: InletEvent };
      try {
        msg = parseJsonExact(String(m.data)) as typeof msg;
      } catch {
        return;
      }
      if (msg.type === "auth_success") {
        authed = true;
        ws?.send(JSON.stringify({ type: "filter", filter: { ...filter, occurred: { since: new Date(Date.now() - 60_000).toISOString() } }, backfill: true }));
        stopPolling();
        onStatus("live");
      } else if (msg.type === "event" && msg.event) onEvents([msg.event]);
    };
    ws.onclose = () => {
      ws = null;
      if (closed) return;
      startPolling();
      // A feed that was live reconnects soon (server restart); one that never was retries rarely.
      retryTimer = setTimeout(tryWebsocket, authed ? 2000 : WS_RETRY_MS);
    };
  };

  onStatus("connecting");
  tryWebsocket();
  // Poll meanwhile: if the websocket connects, polling stops at auth_success.
  startPolling();

  return () => {
    closed = true;
    stopPolling();
    if (retryTimer) clearTimeout(retryTimer);
    ws?.close();
  };
}

/** Newest first by occurred (then received), each id once; `incoming` wins over older copies. */
export function mergeEvents(current: InletEvent[], incoming: InletEvent[]): InletEvent[] {
  const byId = new Map<string, InletEvent>();
  for (const e of current) byId.set(e.id, e);
  for (const e of incoming) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => b.occurred.localeCompare(a.occurred) || b.received.localeCompare(a.received));
}
