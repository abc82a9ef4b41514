// The feed's filter controls, turned into Prefect's EventFilter (docs/feed.md).
import { FAILED_EVENT, WEBHOOK_PREFIX } from "../api.ts";
import { requireEveryTerm } from "./search.ts";
import { ALL_TIME, feedWindow, rangeFromQuery, rangeToQuery, type TimeRange } from "./time-range.ts";

export interface FeedFilter {
  name: string;
  resource: string;
  webhook: string;
  failuresOnly: boolean;
  text: string;
  /** Absent: all time. */
  range?: TimeRange;
}

export const EMPTY_FILTER: FeedFilter = { name: "", resource: "", webhook: "", failuresOnly: false, text: "" };

export function toEventFilter(f: FeedFilter, order: "ASC" | "DESC" = "DESC", now = Date.now()): Record<string, unknown> {
  const window = f.range ? feedWindow(f.range, now) : null;
  const filter: Record<string, unknown> = { occurred: window ?? { since: ALL_TIME }, order };
  if (f.failuresOnly) filter.event = { name: [FAILED_EVENT] };
  else if (f.name.trim()) filter.event = { prefix: [f.name.trim()] };
  if (f.resource.trim()) filter.resource = { id_prefix: [f.resource.trim()] };
  // A webhook's events name it as a related resource; its failure events as the primary one.
  if (f.webhook) filter.any_resource = { id: [WEBHOOK_PREFIX + f.webhook] };
  // Every word must match, as in any search box (the API's plain terms would be ORed).
  if (f.text.trim()) filter.text = { query: requireEveryTerm(f.text.trim()) };
  return filter;
}

export const isFiltered = (f: FeedFilter) =>
  f.failuresOnly || !!(f.name.trim() || f.resource.trim() || f.webhook || f.text.trim()) || (!!f.range && f.range.name !== "all");

/** Filter state kept in the address bar, so a filtered feed can be bookmarked and shared. */
export function filterFromQuery(q: URLSearchParams): FeedFilter {
  return {
    name: q.get("event") ?? "",
    resource: q.get("resource") ?? "",
    webhook: q.get("webhook") ?? "",
    failuresOnly: q.get("failures") === "1",
    text: q.get("q") ?? "",
    range: rangeFromQuery(q),
  };
}

export function filterToQuery(f: FeedFilter): string {
  const q = new URLSearchParams();
  if (f.name) q.set("event", f.name);
  if (f.resource) q.set("resource", f.resource);
  if (f.webhook) q.set("webhook", f.webhook);
  if (f.failuresOnly) q.set("failures", "1");
  if (f.text) q.set("q", f.text);
  if (f.range) rangeToQuery(f.range, q);
  const s = q.toString();
  return s ? `?${s}` : "";
}
