// The home page: events as they arrive, newest first.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type InletEvent, type Webhook } from "../api.ts";
import { EventDetail } from "../components/EventDetail.tsx";
import { EventRow } from "../components/EventRow.tsx";
import { FeedFilters } from "../components/FeedFilters.tsx";
import { RangePicker } from "../components/RangePicker.tsx";
import { VolumeChart } from "../components/VolumeChart.tsx";
import { CopyButton, EmptyState, ErrorBox, PageHeader, Spinner } from "../components/ui.tsx";
import { filterFromQuery, filterToQuery, isFiltered, type FeedFilter } from "../lib/filter.ts";
import { useFeed } from "../lib/useFeed.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { useIsAdmin } from "../session.ts";
import { shownHookUrl } from "../lib/hook-url.ts";

const STATUS_TEXT = { connecting: "Connecting…", live: "Live", polling: "Live (polling every 2 s)" };

export function FeedPage() {
  const { query } = useLocation();
  const [draft, setDraft] = useState<FeedFilter>(() => filterFromQuery(query));
  const [filter, setFilter] = useState<FeedFilter>(draft);
  const [webhooks, setWebhooks] = useState<Webhook[]>([]);
  const [open, setOpen] = useState<InletEvent | null>(null);
  const feed = useFeed(filter);
  const sentinel = useRef<HTMLDivElement>(null);
  const search = query.toString();

  // Typing is debounced; each settled filter is a history entry, so it can be bookmarked and shared,
  // and Back returns to the previous one.
  useEffect(() => {
    const t = setTimeout(() => {
      setFilter(draft);
      const next = filterToQuery(draft);
      if (next !== (search ? `?${search}` : "")) navigate(`/${next}`);
    }, 300);
    return () => clearTimeout(t);
  }, [JSON.stringify(draft)]);

  // Back and forward (or a link to a filtered feed) change the address: the filter follows it.
  useEffect(() => {
    const fromUrl = filterFromQuery(query);
    if (filterToQuery(fromUrl) === filterToQuery(draft)) return;
    setDraft(fromUrl);
    setFilter(fromUrl);
  }, [search]);

  useEffect(() => {
    api<Webhook[]>("POST", "/api/webhooks/filter", {}).then(setWebhooks, () => {});
  }, []);

  // Older pages load as the end of the list scrolls into view (the button stays for keyboards).
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !feed.next) return;
    const io = new IntersectionObserver((entries) => entries[0]?.isIntersecting && feed.loadOlder(), { rootMargin: "400px" });
    io.observe(el);
    return () => io.disconnect();
  }, [feed.next, feed.loadingOlder]);

  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Events">
        <span class={`live-status ${feed.paused ? "paused" : feed.status}`} role="status">
          <span class="dot" aria-hidden="true" />
          {feed.paused ? "Paused" : STATUS_TEXT[feed.status]}
        </span>
        <button type="button" class="btn" onClick={feed.togglePause} aria-pressed={feed.paused}>
          {feed.paused ? `Resume${feed.pending ? ` (${feed.pending} new)` : ""}` : "Pause"}
        </button>
      </PageHeader>
      <FeedFilters value={draft} webhooks={webhooks} onChange={setDraft} />
      <RangePicker value={draft.range ?? { name: "all" }} onChange={(range) => setDraft({ ...draft, range })} />
      <VolumeChart
        filter={filter}
        refresh={feed.total}
        onBrush={(from, to) => setDraft({ ...draft, range: { name: "custom", from: from.toISOString(), to: to.toISOString() } })}
      />
      {feed.error && <ErrorBox message={feed.error} retry={feed.retry} />}
      {feed.loading ? (
        <Spinner label="Loading events" />
      ) : feed.events.length === 0 && !feed.error ? (
        isFiltered(filter) ? (
          <EmptyState title="No events match these filters" />
        ) : (
          <FirstRun webhooks={webhooks} />
        )
      ) : (
        <>
          <p class="muted small" aria-live="polite" data-testid="feed-count">
            {feed.total.toLocaleString()} event{feed.total === 1 ? "" : "s"}
          </p>
          <ol class="event-list" aria-label="Events, newest first">
            {feed.events.map((e) => (
              <EventRow key={e.id} event={e} fresh={feed.fresh.has(e.id)} onOpen={setOpen} />
            ))}
          </ol>
          <div ref={sentinel} class="list-end">
            {feed.next ? (
              <button type="button" class="btn" onClick={feed.loadOlder} disabled={feed.loadingOlder}>
                {feed.loadingOlder ? "Loading…" : "Load older events"}
              </button>
            ) : (
              <span class="muted small">No older events</span>
            )}
          </div>
        </>
      )}
      {open && <EventDetail event={open} onClose={() => setOpen(null)} />}
    </section>
  );
}

function FirstRun({ webhooks }: { webhooks: Webhook[] }) {
  const admin = useIsAdmin();
  const hook = webhooks[0];
  if (!hook) {
    return (
      <EmptyState title="No events yet">
        <p>Events appear here as soon as a webhook receives a request.</p>
        {admin ? (
          <Link class="btn primary" href="/webhooks/new">
            Create your first webhook
          </Link>
        ) : (
          <p class="muted">Ask an admin to create a webhook.</p>
        )}
      </EmptyState>
    );
  }
  const curl = `curl -X POST '${shownHookUrl(hook.url)}' -H 'Content-Type: application/json' -d '{"hello": "world"}'`;
  return (
    <EmptyState title="Waiting for the first event">
      <p>
        Send a request to <strong>{hook.name}</strong> and watch it appear here:
      </p>
      <pre class="code-block mono">{curl}</pre>
      <CopyButton text={curl} label="Copy curl command" />
    </EmptyState>
  );
}
