// Why a hook "did not fire": failure events grouped by webhook, each with its request and a way
// to replay it in the playground.
import { useMemo, useState } from "preact/hooks";
import { api, FAILED_EVENT, nextPagePath, WEBHOOK_PREFIX, webhookOf, type EventPage, type InletEvent } from "../api.ts";
import { JsonView } from "../components/JsonView.tsx";
import { EmptyState, ErrorBox, PageHeader, Spinner, TimeAgo } from "../components/ui.tsx";
import { EMPTY_FILTER, toEventFilter } from "../lib/filter.ts";
import { useLoad } from "../lib/useLoad.ts";
import { Link, useLocation } from "../router.tsx";
import { ReplayDialog, type ReplayScope } from "../components/ReplayDialog.tsx";
import { useIsAdmin } from "../session.ts";

export function FailuresPage() {
  const admin = useIsAdmin();
  const [replaying, setReplaying] = useState<{ webhookId: string; scope: ReplayScope } | null>(null);
  const { query } = useLocation();
  const only = query.get("webhook") ?? "";
  const [extra, setExtra] = useState<InletEvent[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const filter = useMemo(() => toEventFilter({ ...EMPTY_FILTER, failuresOnly: true, webhook: only }), [only]);
  const page = useLoad(() => {
    setExtra([]);
    setNext(undefined);
    return api<EventPage>("POST", "/api/events/filter", { filter, limit: 50 });
  }, [only]);
  // Every webhook's total, counted by the server: the pages above hold only the newest failures.
  // (A failure event's resource is its webhook; year-long buckets keep count-by's bucket limit.)
  const totals = useLoad(async () => {
    const counts = await api<FailureCount[]>("POST", "/api/events/count-by/resource", { filter, time_unit: "week", time_interval: 52 });
    return new Map(counts.filter((c) => c.value.startsWith(WEBHOOK_PREFIX)).map((c) => [c.value.slice(WEBHOOK_PREFIX.length), c]));
  }, [only]);
  const nextToken = next === undefined ? page.data?.next_page : next;
  const dropped = useLoad(() => api<{ webhooks: Record<string, number> }>("GET", "/api/failures/suppressed"), [only]);

  const groups = useMemo(() => {
    const map = new Map<string, { name: string; events: InletEvent[] }>();
    for (const e of [...(page.data?.events ?? []), ...extra]) {
      const hook = webhookOf(e);
      const key = hook?.id ?? "unknown";
      if (!map.has(key)) map.set(key, { name: hook?.name || key, events: [] });
      map.get(key)!.events.push(e);
    }
    // Webhooks whose failures are all older than the loaded pages still get their heading.
    for (const [id, c] of totals.data ?? []) if (!map.has(id)) map.set(id, { name: c.label, events: [] });
    return [...map.entries()];
  }, [page.data, extra, totals.data]);

  const older = async () => {
    const p = await api<EventPage>("GET", nextPagePath(nextToken!));
    setExtra((x) => [...x, ...p.events]);
    setNext(p.next_page);
  };

  return (
    <section>
      <PageHeader title="Failures">
        {only && (
          <Link class="btn" href="/failures">
            All webhooks
          </Link>
        )}
        <Link class="btn" href={`/?failures=1${only ? `&webhook=${only}` : ""}`}>
          Watch live
        </Link>
      </PageHeader>
      <p class="muted">
        Requests a webhook received but could not turn into an event (<code>{FAILED_EVENT}</code>).
      </p>
      {page.loading && <Spinner label="Loading failures" />}
      {page.error && <ErrorBox message={page.error} retry={page.reload} />}
      {page.data && groups.length === 0 && <EmptyState title="No failures">Every request so far became an event.</EmptyState>}
      {groups.map(([id, g]) => (
        <section key={id} class="failure-group" aria-label={`Failures of ${g.name}`}>
          <GroupHeading id={id} name={g.name} shown={g.events.length} total={totals.data?.get(id)?.count} />
          <NotStored count={notStoredCount(g.events, dropped.data?.webhooks[id])} />
          {admin && <ReplaySince onReplay={(since) => setReplaying({ webhookId: id, scope: { since } })} />}
          <ul class="failure-list">
            {g.events.map((e) => (
              <FailureItem
                key={e.id}
                event={e}
                webhookId={id}
                onReplay={admin ? () => setReplaying({ webhookId: id, scope: { event_ids: [e.id] } }) : undefined}
              />
            ))}
          </ul>
        </section>
      ))}
      {replaying && (
        <ReplayDialog webhookId={replaying.webhookId} scope={replaying.scope} onClose={() => setReplaying(null)} onDone={() => {}} />
      )}
      {nextToken && (
        <div class="list-end">
          <button type="button" class="btn" onClick={older}>
            Load older failures
          </button>
        </div>
      )}
    </section>
  );
}

interface FailureCount {
  value: string;
  label: string;
  count: number;
}

function GroupHeading({ id, name, shown, total }: { id: string; name: string; shown: number; total: number | undefined }) {
  const count = Math.max(total ?? 0, shown);
  return (
    <h2>
      <Link href={`/webhooks/${id}`}>{name}</Link>{" "}
      <span class="badge danger" title={`${count} failure${count === 1 ? "" : "s"} stored`}>
        {count}
      </span>
      {count > shown && <span class="small muted"> {shown === 0 ? "all older than those shown" : `newest ${shown} shown`}</span>}
    </h2>
  );
}

/**
 * Failures dropped under the failure budget: each stored failure says how many were dropped before
 * it (`payload.suppressed`), and the server counts those since the last one.
 */
function notStoredCount(events: InletEvent[], sinceLast = 0): number {
  return events.reduce((n, e) => n + (typeof e.payload.suppressed === "number" ? e.payload.suppressed : 0), sinceLast);
}

function NotStored({ count }: { count: number }) {
  if (count <= 0) return null;
  return (
    <p class="notice small" data-testid="not-stored">
      {count.toLocaleString()} more not stored: the webhook failed faster than its failure budget allows, so only the failures above were
      kept.
    </p>
  );
}

/** "Replay all since <time>": a local date and time, an hour ago by default. */
function ReplaySince({ onReplay }: { onReplay: (since: string) => void }) {
  const hourAgo = new Date(Date.now() - 3_600_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const [since, setSince] = useState(hourAgo);
  return (
    <form
      class="row wrap replay-since"
      onSubmit={(e) => {
        e.preventDefault();
        onReplay(new Date(since).toISOString());
      }}
    >
      <label class="small">
        Replay all since <input type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} required />
      </label>
      <button type="submit" class="btn small">
        Replay since…
      </button>
    </form>
  );
}

function FailureItem({ event, webhookId, onReplay }: { event: InletEvent; webhookId: string; onReplay?: () => void }) {
  const p = event.payload as {
    reason?: string;
    error?: string;
    rendered?: string | null;
    method?: string;
    headers?: unknown;
    body?: unknown;
  };
  return (
    <li class="card failure">
      <div class="card-head">
        <span class="badge danger mono">{p.reason ?? "failed"}</span>
        <span class="small muted">
          <TimeAgo iso={event.occurred} /> · {p.method ?? ""}
        </span>
      </div>
      <p class="error-text failure-error" data-testid="failure-error">
        {p.error ?? "No message"}
      </p>
      <details>
        <summary>Request</summary>
        <JsonView value={{ method: p.method, headers: p.headers, body: p.body }} label="Request" />
      </details>
      {p.rendered != null && (
        <details>
          <summary>What the template rendered</summary>
          <pre class="code-block mono">{p.rendered}</pre>
        </details>
      )}
      <div class="row wrap">
        <Link class="btn small" href={`/webhooks/${webhookId}?replay=${event.id}`}>
          Open in playground
        </Link>
        {onReplay && (
          <button type="button" class="btn small" onClick={onReplay}>
            Replay…
          </button>
        )}
      </div>
    </li>
  );
}
