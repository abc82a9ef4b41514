// A client of the live feed's websocket (WS /api/events/out) in Prefect's protocol: an "auth"
// message, then a "filter" message once the server answers "auth_success", then one "event" frame
// per event. The CLI's `events tail` and the admin UI both use it; each adds its own fallback.
// Events are parsed keeping 64-bit integers exact, as everywhere else.
import type { Event } from "../events/model.ts";
import { parseJsonExact } from "../json.ts";

export interface EventsSocketOptions {
  /** The ws:// or wss:// URL of /api/events/out. */
  url: string;
  /** The API key sent in the auth message; null when the upgrade's own credentials count (a session cookie). */
  token: string | null;
  /** Headers for the upgrade, where the runtime allows them (Bun does; browsers do not). */
  headers?: Record<string, string>;
  /** The EventFilter, made when the server has accepted the credentials. */
  filter: () => Record<string, unknown>;
  backfill?: boolean;
  onEvent(event: Event): void;
  /** The server accepted the credentials and has the filter. */
  onLive?(): void;
  /** The socket closed (whoever closed it); `live` tells whether it got as far as onLive. */
  onClose?(close: { code: number; reason: string; live: boolean }): void;
}

export interface EventsSocket {
  close(code?: number): void;
}

export function openEventsSocket(opts: EventsSocketOptions): EventsSocket {
  const init = opts.headers ? { protocols: ["prefect"], headers: opts.headers } : "prefect";
  const ws = new WebSocket(opts.url, init as unknown as string);
  let live = false;
  ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token: opts.token }));
  ws.onmessage = (message) => {
    let data: { type?: string; event?: Event };
    try {
      data = parseJsonExact(String(message.data)) as typeof data;
    } catch {
      return;
    }
    if (data.type === "auth_success" && !live) {
      live = true;
      ws.send(JSON.stringify({ type: "filter", filter: opts.filter(), backfill: opts.backfill ?? true }));
      opts.onLive?.();
    } else if (data.type === "event" && data.event) {
      opts.onEvent(data.event);
    }
  };
  ws.onclose = (e) => opts.onClose?.({ code: e.code, reason: e.reason, live });
  return { close: (code = 1000) => ws.close(code) };
}

/** The feed's URL for an API base URL (http → ws, https → wss). */
export const eventsSocketUrl = (base: string): string => `${base.replace(/^http/i, "ws").replace(/\/+$/, "")}/api/events/out`;
