// Live events: Prefect's websocket (WS /api/events/out, authenticated by the session cookie) when
// the server offers it, else polling the filter API every 2 s. Either way the caller gets batches
// of events and de-duplicates by id.
import { eventsSocketUrl, openEventsSocket, type EventsSocket } from "../../../src/client/events-socket.ts";
import { api, type EventPage, type InletEvent } from "../api.ts";

export type LiveStatus = "connecting" | "live" | "polling";

const POLL_MS = 2000;
const WS_RETRY_MS = 30_000;

export function subscribe(
  filter: Record<string, unknown>,
  onEvents: (events: InletEvent[]) => void,
  onStatus: (s: LiveStatus) => void,
): () => void {
  let closed = false;
  let socket: EventsSocket | null = null;
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
    try {
      // The cookie authenticates the upgrade; the protocol still wants an auth message (token null).
      socket = openEventsSocket({
        url: eventsSocketUrl(location.origin),
        token: null,
        filter: () => ({ ...filter, occurred: { since: new Date(Date.now() - 60_000).toISOString() } }),
        onEvent: (event) => onEvents([event]),
        onLive: () => {
          stopPolling();
          onStatus("live");
        },
        onClose: ({ live }) => {
          socket = null;
          if (closed) return;
          startPolling();
          // A feed that was live reconnects soon (server restart); one that never was retries rarely.
          retryTimer = setTimeout(tryWebsocket, live ? 2000 : WS_RETRY_MS);
        },
      });
    } catch {
      startPolling();
    }
  };

  onStatus("connecting");
  tryWebsocket();
  // Poll meanwhile: if the websocket connects, polling stops at auth_success.
  startPolling();

  return () => {
    closed = true;
    stopPolling();
    if (retryTimer) clearTimeout(retryTimer);
    socket?.close();
  };
}

/** Newest first by occurred (then received), each id once; `incoming` wins over older copies. */
export function mergeEvents(current: InletEvent[], incoming: InletEvent[]): InletEvent[] {
  const byId = new Map<string, InletEvent>();
  for (const e of current) byId.set(e.id, e);
  for (const e of incoming) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => b.occurred.localeCompare(a.occurred) || b.received.localeCompare(a.received));
}
