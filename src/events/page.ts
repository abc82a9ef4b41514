// Event pages for POST /api/events/filter and GET /api/events/filter/next: Prefect's EventPage
// {events, total, next_page}, where next_page is an absolute URL carrying a signed page token. The
// store reads the page (off the request thread); the link to the next one is signed here.
import type { EventStore } from "./store/event-store.ts";
import { encodePageToken, type PageState, type SecretKeeper } from "./page-token.ts";

/** Prefect's INTERACTIVE_PAGE_SIZE: the largest and the default page. */
export const MAX_PAGE_SIZE = 50;

/** The page to read; on the first page the filter's total is not known yet. */
export type PageRequest = Omit<PageState, "count"> & { count?: number };

/**
 * The page as JSON text. Its events come as JSON text already, written where they were read so that
 * integers past 2^53 stay exact; the rest is written around them as JSON.stringify would.
 */
export async function readPage(
  store: Pick<EventStore, "page">,
  settings: SecretKeeper,
  state: PageRequest,
  origin: string,
): Promise<string> {
  const rows = await store.page({ filter: state.filter, limit: state.pageSize, offset: state.offset, total: state.count });
  const offset = state.offset + state.pageSize;
  const next_page =
    offset < rows.total
      ? `${origin}/api/events/filter/next?page-token=${encodePageToken(settings, { filter: state.filter, count: rows.total, pageSize: state.pageSize, offset })}`
      : null;
  return `{"events":${rows.events},"total":${rows.total},"next_page":${JSON.stringify(next_page)}}`;
}
