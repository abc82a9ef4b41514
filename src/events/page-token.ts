// Page tokens for GET /api/events/filter/next. Prefect's token is base64 JSON of
// {filter, count, page_size, offset}; ours carries the same, signed with HMAC-SHA256 under a
// per-server secret, so a client can neither forge one nor widen a filter by editing it.
import { eq } from "drizzle-orm";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../db/open.ts";
import { settings } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseEventFilter, serializeFilter, type EventFilter } from "./filter/filter.ts";

export interface PageState {
  filter: EventFilter;
  /** The total from the first page; later pages report it instead of counting again, as Prefect does. */
  count: number;
  pageSize: number;
  offset: number;
}

const SECRET_KEY = "events_page_token_secret";
/** Longer tokens are refused before any work is done on them. */
export const MAX_TOKEN_LENGTH = 32_768;
const secrets = new WeakMap<Db, Buffer>();

/**
 * The server's signing secret: created on first use, kept in the settings table so tokens survive
 * restarts. Once it exists, reading it writes nothing (the read worker's connection cannot write).
 */
export function pageTokenSecret(db: Db): Buffer {
  let secret = secrets.get(db);
  if (!secret) {
    const read = () => db.select({ value: settings.value }).from(settings).where(eq(settings.key, SECRET_KEY)).get()?.value;
    let stored = read();
    if (stored === undefined) {
      const fresh = JSON.stringify(randomBytes(32).toString("base64url"));
      db.insert(settings).values({ key: SECRET_KEY, value: fresh }).onConflictDoNothing().run();
      // Another process on the same file may have won the insert: read back whichever is stored.
      stored = read()!;
    }
    secret = Buffer.from(JSON.parse(stored) as string, "base64url");
    secrets.set(db, secret);
  }
  return secret;
}

const sign = (db: Db, body: string) => createHmac("sha256", pageTokenSecret(db)).update(body).digest();

export function encodePageToken(db: Db, state: PageState): string {
  const body = Buffer.from(JSON.stringify({
    filter: serializeFilter(state.filter), count: state.count, page_size: state.pageSize, offset: state.offset,
  })).toString("base64url");
  return `${body}.${sign(db, body).toString("base64url")}`;
}

const badToken = () => new AppError("invalid_page_token");

/** Verifies and reads a token; anything wrong with it is a 403 invalid_page_token, never more detail. */
export function decodePageToken(db: Db, token: string | undefined | null, now: number): PageState {
  if (!token || token.length > MAX_TOKEN_LENGTH) throw badToken();
  const [body, mac, extra] = token.split(".");
  if (!body || !mac || extra !== undefined) throw badToken();
  const given = Buffer.from(mac, "base64url");
  const expected = sign(db, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw badToken();
  try {
    const p = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Record<string, unknown>;
    const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
    if (!isCount(p.count) || !isCount(p.page_size) || !isCount(p.offset)) throw badToken();
    return { filter: parseEventFilter(p.filter, now), count: p.count, pageSize: p.page_size, offset: p.offset };
  } catch {
    throw badToken();
  }
}
