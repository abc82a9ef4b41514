// `inlet events tail`: the live feed (WS /api/events/out, Prefect's protocol) when the server
// offers it, else polling POST /api/events/filter. Either way each event is printed once.
import { eventsSocketUrl, openEventsSocket } from "../client/events-socket.ts";
import type { Event } from "../events/model.ts";
import { ApiError, NOT_AUTHENTICATED, type ApiClient } from "./client.ts";
import { CliError } from "./io.ts";

/** The API's page size (Prefect's maximum). */
export const PAGE_SIZE = 50;

export interface EventPage {
  events: Event[];
  total: number;
  next_page: string | null;
}

/** The next page, asked of our server whatever host the server put into next_page. */
export function nextPagePath(nextPage: string): string {
  const url = new URL(nextPage, "http://placeholder");
  return `${url.pathname}${url.search}`;
}

export const POLL_INTERVAL_MS = 2000;
/** Polling re-asks for this much before the newest event seen: commits are not in `occurred` order. */
export const POLL_OVERLAP_MS = 60_000;
/** How long the server may take to answer the auth message before we stop waiting for the feed. */
export const AUTH_TIMEOUT_MS = 5000;
const MAX_RECONNECTS = 10;
const SEEN_CAPACITY = 100_000;

export interface TailOptions {
  signal?: AbortSignal;
  onEvent: (event: Event) => void;
  /** Status lines (fell back to polling, reconnecting) for stderr. */
  onNotice: (text: string) => void;
  pollIntervalMs?: number;
  /** Only for tests: skip the live feed. */
  websocket?: boolean;
}

/** Ids already printed, oldest forgotten first. */
class SeenIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}
  /** True the first time an id is added. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}

type StreamEnd = "aborted" | "unavailable" | "lost";

/** One live-feed connection; resolves how it ended, rejects on auth or filter errors. */
function stream(client: ApiClient, filter: Record<string, unknown>, emit: (e: Event) => void, signal?: AbortSignal): Promise<StreamEnd> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return resolve("aborted");
    const key = client.conn.apiKey ?? null;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(authTimer);
      signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const socket = openEventsSocket({
      url: eventsSocketUrl(client.url),
      token: key,
      // The key also goes on the upgrade, as Prefect Cloud clients send it.
      headers: key ? { authorization: `Bearer ${key}` } : {},
      filter: () => filter,
      onEvent: emit,
      onLive: () => clearTimeout(authTimer),
      onClose: ({ code, reason, live }) => {
        // Prefect's server closes with 1008 for auth problems and 1002 for a bad filter.
        // (A webhook-only key gets its own reason; a bad or missing key the usual hint.)
        if (code === 1008) return finish(() => reject(new CliError(reason && !/token|auth/i.test(reason) ? reason : NOT_AUTHENTICATED)));
        if (code === 1002 && live)
          return finish(() => reject(new CliError(`The live feed refused the filter: ${reason || "invalid filter"}`)));
        finish(() => resolve(live ? "lost" : "unavailable"));
      },
    });
    const onAbort = () => {
      socket.close(1000);
      finish(() => resolve("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const authTimer = setTimeout(() => {
      socket.close(1000);
      finish(() => resolve("unavailable"));
    }, AUTH_TIMEOUT_MS);
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

export async function tailEvents(client: ApiClient, filter: Record<string, unknown>, opts: TailOptions): Promise<void> {
  const { signal } = opts;
  const seen = new SeenIds(SEEN_CAPACITY);
  const occurred = (filter.occurred ?? {}) as { since?: string };
  const floor = occurred.since ? Date.parse(occurred.since) : Date.now();
  let newest = floor;
  const emit = (e: Event) => {
    if (!seen.add(e.id)) return;
    const at = Date.parse(e.occurred);
    if (at > newest) newest = at;
    opts.onEvent(e);
  };
  const since = () => new Date(Math.max(floor, newest - POLL_OVERLAP_MS)).toISOString();

  if (opts.websocket !== false) {
    let end = await stream(client, filter, emit, signal);
    // The feed dropped after it worked (server restart): reconnect, asking again from the newest event seen.
    for (let attempt = 1; end === "lost" && attempt <= MAX_RECONNECTS; attempt++) {
      opts.onNotice(`Live feed lost; reconnecting (${attempt}/${MAX_RECONNECTS})…`);
      await sleep(Math.min(1000 * attempt, 5000), signal);
      if (signal?.aborted) return;
      end = await stream(client, { ...filter, occurred: { ...occurred, since: since() } }, emit, signal);
    }
    if (end === "aborted") return;
    opts.onNotice(
      end === "unavailable"
        ? "Live feed unavailable; polling for new events every 2 s."
        : "Live feed lost; polling for new events every 2 s.",
    );
  }

  let polledOnce = false;
  while (!signal?.aborted) {
    try {
      const body = { filter: { ...filter, occurred: { ...occurred, since: since() }, order: "ASC" }, limit: PAGE_SIZE };
      let page = await client.request<EventPage>("POST", "/api/events/filter", body);
      page.events.forEach(emit);
      while (page.next_page && !signal?.aborted) {
        page = await client.request<EventPage>("GET", nextPagePath(page.next_page));
        page.events.forEach(emit);
      }
      polledOnce = true;
    } catch (err) {
      // Before anything worked, or when the key is refused, give up; later, ride out a server restart.
      if (!polledOnce || (err instanceof ApiError && (err.status === 401 || err.status === 403))) throw err;
      opts.onNotice(`${err instanceof Error ? err.message : String(err)}; retrying…`);
    }
    await sleep(opts.pollIntervalMs ?? POLL_INTERVAL_MS, signal);
  }
}
