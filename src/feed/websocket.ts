// WS /api/events/out, Prefect's protocol (server/utilities/subscriptions.py, api/events.py): an
// "auth" message, then a "filter" message, then {"type":"event"} frames; backfill first when asked.
//
// Public as an HTTP route: Prefect clients authenticate with the first message, not on the upgrade;
// that step asks the same authorize() as every HTTP route, for access `read`. And it is a plain GET that upgrades by itself rather than an Elysia `.ws()` route: Elysia
// never hands websocket routes to Bun's native router, so the native GET /api/events/:id would
// answer the upgrade request first. A static GET route is native and takes precedence over it.
// The `data` object follows the contract of Elysia's websocket dispatcher (ws.data.open/message/…).
import type { ServerWebSocket } from "bun";
import { Elysia } from "elysia";
import { accessControl } from "../auth/access.ts";
import { authorize, principalOf } from "../auth/guard.ts";
import { REVOKED_MESSAGE, StreamCredentials } from "../auth/stream-credentials.ts";
import { readCookie, SESSION_COOKIE, sessionCookie } from "../auth/sessions.ts";
import type { AppContext } from "../context.ts";
import { AppError, closeCodeOf } from "../errors.ts";
import { eventJson } from "../events/model.ts";
import type { StoredEvent } from "../events/store/event-store.ts";
import { feedFilters } from "./backfill.ts";
import type { EndReason, Feed, Transport } from "./feed.ts";
import type { Subscriber } from "./subscriber.ts";

/** How long a connection may take to authenticate and send its filter. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Missed heartbeats after which a peer that never answers pings is considered gone. */
const MAX_MISSED_PONGS = 3;
/** A dropped subscriber's close frame waits behind its backlog; past this it is cut off. */
export const TERMINATE_AFTER_MS = 5_000;

const frames = new WeakMap<StoredEvent, string>();
function frame(item: StoredEvent): string {
  let text = frames.get(item);
  if (text === undefined) frames.set(item, (text = `{"type":"event","event":${eventJson(item.event)}}`));
  return text;
}

/** RFC 6455 §5.5: a close reason is at most 123 bytes of UTF-8. */
function closeReason(text: string): string {
  const bytes = Buffer.from(text);
  return bytes.length <= 123
    ? text
    : `${bytes
        .subarray(0, 120)
        .toString()
        .replace(/\uFFFD+$/, "")}...`;
}

type Ws = ServerWebSocket<unknown>;

class Connection implements Transport {
  private phase: "auth" | "filter" | "streaming" = "auth";
  private sub: Subscriber | null = null;
  private credentials: StreamCredentials | null = null;
  private stopListening = () => {};
  private missedPongs = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly feed: Feed,
    private readonly upgrade: Request,
    private ws: Ws | null = null,
  ) {}

  // --- Bun websocket handlers (called through Elysia's dispatcher) ---
  readonly open = (ws: Ws) => {
    this.ws = ws;
    this.timer = setTimeout(() => this.shut(this.phase === "auth" ? 1008 : 1002, `Expected '${this.phase}' message`), HANDSHAKE_TIMEOUT_MS);
  };

  readonly message = (_ws: Ws, data: string | Buffer) => {
    if (this.phase === "streaming") return; // Prefect's server reads nothing more either
    let msg: { type?: unknown; token?: unknown; filter?: unknown; backfill?: unknown } | null = null;
    try {
      msg = JSON.parse(String(data));
    } catch {}
    if (this.phase === "auth") this.authenticate(msg);
    else this.subscribe(msg);
  };

  readonly drain = () => this.sub?.resume();
  readonly pong = () => void (this.missedPongs = 0);
  /** The socket is closed, whoever closed it. */
  readonly close = () => {
    this.stopListening();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.sub) this.feed.unsubscribe(this.sub);
    this.sub = null;
    this.phase = "streaming";
  };

  private shut(code: number, reason: string): void {
    this.ws!.close(code, closeReason(reason));
    this.close();
  }

  private authenticate(msg: { type?: unknown; token?: unknown } | null): void {
    if (msg?.type !== "auth") return this.shut(1008, "Expected 'auth' message");
    const token = msg.token;
    // Only printable ASCII can be an API key (and travel in a header).
    if (token !== undefined && token !== null && (typeof token !== "string" || !/^[\x21-\x7e]*$/.test(token)))
      return this.shut(1008, "Invalid token");
    // A token in the message is an API key; without one, the upgrade's own credentials count
    // (the admin UI's session cookie, or an Authorization header as Prefect Cloud clients send).
    const credentials = token ? new Request(this.upgrade.url, { headers: { authorization: `Bearer ${token}` } }) : this.upgrade;
    // Browsers send cookies on cross-site websocket upgrades too (CSWSH): authorize treats the
    // upgrade as a change, so a session must come from this origin.
    try {
      authorize(this.ctx, "read", credentials);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // Prefect's own wording for a missing or wrong key; the others as the HTTP API words them.
      if (err.code === "unauthorized") return this.shut(1008, token ? "Invalid token" : "Auth required but no token provided");
      return this.shut(1008, err.message);
    }
    this.credentials = new StreamCredentials(this.ctx, credentials);
    this.credentials.valid(); // reads the session's expiry
    this.stopListening = this.credentials.onRevoked(() => this.shut(1008, REVOKED_MESSAGE));
    this.phase = "filter";
    this.ws!.send(JSON.stringify({ type: "auth_success" }));
  }

  private subscribe(msg: { type?: unknown; filter?: unknown; backfill?: unknown } | null): void {
    if (msg?.type !== "filter") return this.shut(1002, "Expected 'filter' message");
    if (msg.backfill !== undefined && typeof msg.backfill !== "boolean")
      return this.shut(1002, "Invalid filter: backfill: must be a boolean");
    let filters: ReturnType<typeof feedFilters>;
    try {
      filters = feedFilters(msg.filter, this.ctx.clock.now(), this.ctx.config.backfillMinutes);
    } catch (err) {
      if (err instanceof AppError) return this.shut(1002, `Invalid filter: ${err.message}`);
      throw err;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.phase = "streaming";
    this.sub = this.feed.subscribe(filters.live, this, msg.backfill === false ? undefined : { filter: filters.backfill });
  }

  // --- Transport, for the feed ---
  send(item: StoredEvent): boolean {
    if (!this.credentials?.validNow()) {
      // Not from inside the feed's delivery loop, which is iterating over the subscribers.
      queueMicrotask(() => this.shut(1008, REVOKED_MESSAGE));
      return false;
    }
    // -1: buffered, but the socket is congested (wait for drain); 0: dropped, the socket is closing.
    return this.ws!.send(frame(item)) > 0;
  }

  cork(sends: () => void): void {
    this.ws!.cork(sends);
  }

  end(reason: EndReason, message: string): void {
    this.sub = null;
    const ws = this.ws!;
    ws.close(closeCodeOf(reason), closeReason(message));
    if (reason === "too_slow") setTimeout(() => ws.readyState !== WebSocket.CLOSED && ws.terminate(), TERMINATE_AFTER_MS).unref?.();
  }

  heartbeat(): void {
    const ws = this.ws!;
    if (++this.missedPongs > MAX_MISSED_PONGS) return ws.terminate();
    // A key or session that went without a revocation heard here (another process) stops the feed too.
    if (!this.credentials?.valid()) return this.shut(1008, REVOKED_MESSAGE);
    ws.ping();
  }
}

/** Credentials on the upgrade request that the upgrade response should refresh (a renewed session). */
function renewedCookie(ctx: AppContext, request: Request): Record<string, string> | undefined {
  if (!request.headers.has("cookie") || request.headers.has("authorization")) return undefined;
  const principal = principalOf(ctx, request);
  if (principal?.kind !== "user" || !principal.renewed) return undefined;
  const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE)!;
  return { "set-cookie": sessionCookie(token, principal.expires, ctx.clock.now(), ctx.config.baseUrl.startsWith("https:")) };
}

export function feedWsRoutes(ctx: AppContext, feed: Feed = ctx.feed) {
  return new Elysia().use(accessControl(ctx)).get(
    "/api/events/out",
    ({ request, server }) => {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
        throw new AppError("bad_request", "Expected a websocket connection (Upgrade: websocket)");
      const connection = new Connection(ctx, feed, request);
      // Bun selects the "prefect" subprotocol the client asks for on its own.
      if (!server?.upgrade(request, { headers: renewedCookie(ctx, request), data: connection })) {
        throw new AppError("bad_request", "Expected a websocket connection (Upgrade: websocket)");
      }
    },
    { access: "public" },
  );
}
