// The feed's state: the first page, older pages on demand, live arrivals, pause/resume.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, nextPagePath, type EventPage, type InletEvent } from "../api.ts";
import { toEventFilter, type FeedFilter } from "./filter.ts";
import { mergeEvents, subscribe, type LiveStatus } from "./live.ts";

/** Rows kept in memory and on the page; older ones are dropped from the tail once live events push past it. */
const MAX_ROWS = 2000;
/** After live arrivals settle, the count is asked of the server again, so it never drifts from the API's total. */
const RECOUNT_MS = 1000;

/** The newest `received` of a page: anything received by then was already in its total. */
const newestReceived = (events: InletEvent[]) => events.reduce((max, e) => (e.received > max ? e.received : max), "");

export function useFeed(filter: FeedFilter) {
  const [events, setEvents] = useState<InletEvent[]>([]);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [paused, setPaused] = useState(false);
  const [pending, setPending] = useState<InletEvent[]>([]);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const pausedRef = useRef(false);
  const known = useRef(new Set<string>());
  const [attempt, setAttempt] = useState(0);
  const key = JSON.stringify(filter);

  useEffect(() => {
    let live = true;
    const eventFilter = toEventFilter(filter);
    known.current = new Set();
    setLoading(true);
    setError(null);
    setPending([]);
    let stop: (() => void) | null = null;
    let recount: ReturnType<typeof setTimeout> | undefined;
    // The live feed starts with a backfill of the last minute; those events are in the first page's
    // total already, so only events received after the page count as new (then the server's total
    // is fetched again once arrivals settle, for the rare event received late with an older time).
    const scheduleRecount = () => {
      clearTimeout(recount);
      recount = setTimeout(() => {
        api<EventPage>("POST", "/api/events/filter", { filter: eventFilter, limit: 1 }).then(
          (p) => live && setTotal(p.total),
          () => {},
        );
      }, RECOUNT_MS);
    };
    api<EventPage>("POST", "/api/events/filter", { filter: eventFilter, limit: 50 }).then(
      (page) => {
        if (!live) return;
        const counted = newestReceived(page.events);
        page.events.forEach((e) => known.current.add(e.id));
        setEvents(page.events);
        setTotal(page.total);
        setNext(page.next_page);
        setLoading(false);
        stop = subscribe(
          eventFilter,
          (batch) => {
            const unseen = batch.filter((e) => !known.current.has(e.id));
            if (unseen.length === 0) return;
            unseen.forEach((e) => known.current.add(e.id));
            setTotal((t) => t + unseen.filter((e) => e.received > counted).length);
            scheduleRecount();
            if (pausedRef.current) return setPending((p) => [...unseen, ...p]);
            setFresh(new Set(unseen.map((e) => e.id)));
            setEvents((cur) => mergeEvents(cur, unseen).slice(0, MAX_ROWS));
          },
          setStatus,
        );
      },
      (e: Error) => {
        if (!live) return;
        setError(e.message);
        setLoading(false);
      },
    );
    return () => {
      live = false;
      clearTimeout(recount);
      stop?.();
    };
  }, [key, attempt]);

  const loadOlder = async () => {
    if (!next || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await api<EventPage>("GET", nextPagePath(next));
      page.events.forEach((e) => known.current.add(e.id));
      setEvents((cur) => mergeEvents(cur, page.events));
      setNext(page.next_page);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoadingOlder(false);
    }
  };

  const togglePause = () => {
    pausedRef.current = !pausedRef.current;
    setPaused(pausedRef.current);
    if (!pausedRef.current && pending.length) {
      setFresh(new Set(pending.map((e) => e.id)));
      setEvents((cur) => mergeEvents(cur, pending).slice(0, MAX_ROWS));
      setPending([]);
    }
  };

  return {
    events,
    total,
    next,
    loading,
    loadingOlder,
    error,
    status,
    paused,
    pending: pending.length,
    fresh,
    loadOlder,
    togglePause,
    retry: () => setAttempt((n) => n + 1),
  };
}
