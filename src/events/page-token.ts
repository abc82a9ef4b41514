// Page tokens for GET /api/events/filter/next. Prefect's token is base64 JSON of
// {filter, count, page_size, offset}; ours carries the same, signed with HMAC-SHA256 under a
// per-server secret, so a client can neither forge one nor widen a filter by editing it.
import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors.ts";
import type { SettingsStore } from "../settings/store.ts";
import { parseEventFilter, serializeFilter, type EventFilter } from "./filter/filter.ts";

export interface PageState {
  filter: EventFilter;
  /** The total from the first page; later pages report it instead of counting again, as Prefect does. */
  count: number;
  pageSize: number;
  offset: number;
}

/** Longer tokens are refused before any work is done on them. */
export const MAX_TOKEN_LENGTH = 32_768;

/** Where the signing secret comes from: the settings store, which keeps it so tokens survive restarts. */
export type SecretKeeper = Pick<SettingsStore, "secret">;
const SECRET_KEY = "events_page_token_secret";

const sign = (settings: SecretKeeper, body: string) => createHmac("sha256", settings.secret(SECRET_KEY)).update(body).digest();

export function encodePageToken(settings: SecretKeeper, state: PageState): string {
  const body = Buffer.from(
    JSON.stringify({
      filter: serializeFilter(state.filter),
      count: state.count,
      page_size: state.pageSize,
      offset: state.offset,
    }),
  ).toString("base64url");
  return `${body}.${sign(settings, body).toString("base64url")}`;
}

const badToken = () => new AppError("invalid_page_token");

/** Verifies and reads a token; anything wrong with it is a 403 invalid_page_token, never more detail. */
export function decodePageToken(settings: SecretKeeper, token: string | undefined | null, now: number): PageState {
  if (!token || token.length > MAX_TOKEN_LENGTH) throw badToken();
  const [body, mac, extra] = token.split(".");
  if (!body || !mac || extra !== undefined) throw badToken();
  const given = Buffer.from(mac, "base64url");
  const expected = sign(settings, body);
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
