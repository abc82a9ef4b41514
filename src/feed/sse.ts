// GET /api/events/stream: the live feed as Server-Sent Events (WHATWG HTML §9.2), for `curl -N` and
// EventSource. The filter is a few query parameters; `id:` is the event id, so a reconnecting client's
// Last-Event-ID resumes right after the last event it saw. Access `read`, like any read; and
// since a stream outlives the request the guard saw, it ends when those credentials stop being valid.
import { Elysia } from "elysia";
import { accessControl } from "../auth/access.ts";
import { REVOKED_MESSAGE, StreamCredentials } from "../auth/stream-credentials.ts";
import type { AppContext } from "../context.ts";
import { AppError, invalid } from "../errors.ts";
import { parseEventFilter } from "../events/filter/filter.ts";
import { eventJson, parseTimestamp } from "../events/model.ts";
import type { StoredEvent } from "../events/store/event-store.ts";
import { feedFilters } from "./backfill.ts";
import type { EndReason, Feed, Transport } from "./feed.ts";
import type { Subscriber } from "./subscriber.ts";

/** Query parameter → where it goes in Prefect's EventFilter. Each may be repeated (any of them matches). */
const PARAMS = {
  event: (f, v) => ((f.event ??= {}).name = v),
  event_prefix: (f, v) => ((f.event ??= {}).prefix = v),
  resource: (f, v) => ((f.resource ??= {}).id = v),
  resource_prefix: (f, v) => ((f.resource ??= {}).id_prefix = v),
  related: (f, v) => (f.related = { id: v }),
} satisfies Record<string, (f: Record<string, Record<string, string[]>>, values: string[]) => unknown>;

/** Bytes the stream may hold for a reader before the subscriber counts as congested. */
export const STREAM_HIGH_WATER = 64 * 1024;
/** Tells EventSource how soon to reconnect (it then sends Last-Event-ID). */
export const RETRY_MS = 2000;

/** The filter (in Prefect's JSON shape) that the query string describes. */
export function queryFilter(params: URLSearchParams): Record<string, unknown> {
  const filter: Record<string, Record<string, string[]>> = {};
  for (const key of new Set(params.keys())) {
    if (key === "since") continue;
    if (!(key in PARAMS))
      throw invalid(`${key}: unknown query parameter (expected one of ${[...Object.keys(PARAMS), "since"].join(", ")})`);
    PARAMS[key as keyof typeof PARAMS](filter, params.getAll(key));
  }
  const since = params.get("since");
  if (since === null) return filter;
  if (parseTimestamp(since) === null) throw invalid("since: must be an ISO-8601 date-time");
  return { ...filter, occurred: { since } };
}

/** The commit sequence number of the event a client last saw, or undefined if it is not stored (any more). */
async function seqOf(ctx: AppContext, id: string): Promise<number | undefined> {
  let filter;
  try {
    // The filter's parser reads (and normalizes) the UUID as a filter by id would.
    filter = parseEventFilter({ id: { id: [id] } }, ctx.clock.now());
  } catch {
    throw invalid("Last-Event-ID: must be the id of an event (a UUID)");
  }
  return await ctx.events.seqOf(filter.id![0]!);
}

const encoder = new TextEncoder();
const frames = new WeakMap<StoredEvent, Uint8Array>();
function frame(item: StoredEvent): Uint8Array {
  let bytes = frames.get(item);
  if (bytes === undefined) frames.set(item, (bytes = encoder.encode(`id: ${item.event.id}\ndata: ${eventJson(item.event)}\n\n`)));
  return bytes;
}

class EventStream implements Transport {
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  sub: Subscriber | null = null;
  readonly body: ReadableStream<Uint8Array>;
  private closed = false;
  private readonly stopListening: () => void;

  constructor(
    private readonly feed: Feed,
    private readonly credentials: StreamCredentials,
    ctx: AppContext,
  ) {
    const source: UnderlyingDefaultSource<Uint8Array> = {
      start: (controller) => void (this.controller = controller),
      // The reader caught up below the high-water mark: send what waited meanwhile.
      pull: () => this.sub?.resume(),
      cancel: () => {
        this.detach();
        if (this.sub) this.feed.unsubscribe(this.sub);
      },
    };
    this.body = new ReadableStream(source, { highWaterMark: STREAM_HIGH_WATER, size: (chunk) => chunk?.byteLength ?? 0 });
    this.stopListening = this.credentials.onRevoked(() => this.revoke());
  }

  /** Ends the stream because its credentials went. */
  private revoke(): void {
    if (this.closed) return;
    if (this.sub) this.feed.unsubscribe(this.sub);
    this.finish("unauthorized", REVOKED_MESSAGE);
  }

  write(text: string): void {
    try {
      this.controller.enqueue(encoder.encode(text));
    } catch {
      // Already closed or cancelled: the subscription is being torn down.
    }
  }

  send(item: StoredEvent): boolean {
    if (!this.credentials.validNow()) {
      // Not from inside the feed's delivery loop, which is iterating over the subscribers.
      queueMicrotask(() => this.revoke());
      return false;
    }
    try {
      this.controller.enqueue(frame(item));
    } catch {
      return false;
    }
    return (this.controller.desiredSize ?? 0) > 0;
  }

  end(reason: EndReason, message: string): void {
    this.finish(reason, message);
  }

  heartbeat(): void {
    if (this.credentials.valid()) this.write(": heartbeat\n\n");
    else this.revoke();
  }

  private finish(reason: EndReason, message: string): void {
    this.detach();
    this.write(`event: end\ndata: ${JSON.stringify({ reason, message })}\n\n`);
    try {
      this.controller.close();
    } catch {}
  }

  private detach(): void {
    this.closed = true;
    this.stopListening();
  }
}

export function feedSseRoutes(ctx: AppContext, feed: Feed = ctx.feed) {
  return new Elysia().use(accessControl(ctx)).get(
    "/events/stream",
    async ({ request }) => {
      const params = new URL(request.url).searchParams;
      const { live, backfill } = feedFilters(queryFilter(params), ctx.clock.now(), ctx.config.backfillMinutes);
      const lastId = request.headers.get("last-event-id")?.trim();
      const afterSeq = lastId ? await seqOf(ctx, lastId) : undefined;
      // Live only unless asked: `since` backfills from then, Last-Event-ID resumes (both within the backfill window).
      const wantsBackfill = params.has("since") || afterSeq !== undefined;

      const credentials = new StreamCredentials(ctx, request);
      // Also reads the session's expiry. Failing here means the credentials went since the guard checked them.
      if (!credentials.valid()) throw new AppError("unauthorized", REVOKED_MESSAGE);
      const stream = new EventStream(feed, credentials, ctx);
      stream.write(`retry: ${RETRY_MS}\nevent: ready\ndata: {}\n\n`);
      stream.sub = feed.subscribe(live, stream, wantsBackfill ? { filter: backfill, afterSeq } : undefined);
      return new Response(stream.body, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-transform",
          // nginx buffers proxied responses unless told not to, which would hold events back.
          "x-accel-buffering": "no",
        },
      });
    },
    { access: "read" },
  );
}
