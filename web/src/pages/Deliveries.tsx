// The delivery log of one automation: each action it queued, newest first, with every attempt (the
// request as sent, secrets masked, and the answer) and "Retry now" on a failed one.
import { useEffect, useState } from "preact/hooks";
import { api, type AutomationWithStatus } from "../api.ts";
import { EmptyState, ErrorBox, PageHeader, Spinner, TimeAgo } from "../components/ui.tsx";
import type { Destination } from "../lib/destinations.ts";
import { shortTime } from "../lib/time.ts";
import { useLoad } from "../lib/useLoad.ts";
import { Link } from "../router.tsx";
import { useIsAdmin } from "../session.ts";

export interface Attempt {
  at: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response: string | null;
  /** What was sent, secrets masked. */
  request?: unknown;
}

export interface Delivery {
  id: string;
  action_index: number;
  action_type: string;
  /** Why it failed, once given up. */
  reason: string | null;
  destination_id: string | null;
  status: "pending" | "delivered" | "failed";
  next_attempt: string | null;
  attempts: Attempt[];
}

interface DeliveryPage {
  deliveries: Delivery[];
  /** A page token for ?page=, or null on the last page. */
  next_page: string | null;
}

/** How often the log is read again: soon while a delivery is on its way, else now and then for new ones. */
const REFRESH_PENDING_MS = 2000;
const REFRESH_IDLE_MS = 5000;

const STATUS_BADGE = { pending: "", delivered: "ok", failed: "danger" };

export function DeliveriesPage({ id }: { id: string }) {
  const admin = useIsAdmin();
  const automation = useLoad(() => api<AutomationWithStatus>("GET", `/api/automations/${id}`), [id]);
  const page = useLoad(() => api<DeliveryPage>("GET", `/api/automations/${id}/deliveries`), [id]);
  const names = useLoad(async () => {
    if (!admin) return new Map<string, string>();
    const list = await api<Destination[]>("GET", "/api/destinations").catch(() => []);
    return new Map(list.map((d) => [d.id, d.name]));
  });
  const [older, setOlder] = useState<Delivery[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [retryError, setRetryError] = useState<string | null>(null);
  const nextToken = next === undefined ? page.data?.next_page : next;

  const loadOlder = async () => {
    const p = await api<DeliveryPage>("GET", `/api/automations/${id}/deliveries?page=${encodeURIComponent(nextToken!)}`);
    setOlder((x) => [...x, ...p.deliveries]);
    setNext(p.next_page);
  };

  const retry = async (d: Delivery) => {
    setRetryError(null);
    try {
      await api("POST", `/api/deliveries/${d.id}/retry`);
      setOlder([]);
      setNext(undefined);
      page.reload();
    } catch (e) {
      setRetryError((e as Error).message);
    }
  };

  const all = [...(page.data?.deliveries ?? []), ...older];
  // The log follows new deliveries and those on their way (not once older pages are loaded below it).
  const waiting = page.data?.deliveries.some((d) => d.status === "pending") ?? false;
  useEffect(() => {
    if (!page.data || older.length > 0) return;
    const t = setTimeout(() => document.visibilityState === "visible" && page.reload(), waiting ? REFRESH_PENDING_MS : REFRESH_IDLE_MS);
    return () => clearTimeout(t);
  }, [page.data, older.length]);
  return (
    <section>
      <PageHeader title={`Deliveries${automation.data ? ` of ${automation.data.name}` : ""}`}>
        <button type="button" class="btn" onClick={page.reload}>
          Refresh
        </button>
        <Link class="btn" href={`/automations/${id}`}>
          Back to the automation
        </Link>
      </PageHeader>
      {retryError && <ErrorBox message={retryError} />}
      {page.loading && !page.data && <Spinner label="Loading deliveries" />}
      {page.error && <ErrorBox message={page.error} retry={page.reload} />}
      {page.data && all.length === 0 && (
        <EmptyState title="No deliveries yet">
          <p>Each time the automation fires, each of its actions is queued and delivered here.</p>
        </EmptyState>
      )}
      <ol class="delivery-list" aria-label="Deliveries, newest first">
        {all.map((d) => (
          <li key={d.id} class={`card delivery ${d.status}`} data-testid="delivery">
            <div class="card-head">
              <span>
                <span class={`badge ${STATUS_BADGE[d.status]}`} data-testid="delivery-status">
                  {d.status}
                </span>{" "}
                Action {d.action_index + 1} <span class="mono small">{d.action_type}</span>
                {d.destination_id && (
                  <> → {names.data?.get(d.destination_id) ?? <span class="mono">{d.destination_id.slice(0, 8)}</span>}</>
                )}
              </span>
              {admin && d.status === "failed" && (
                <button type="button" class="btn small" onClick={() => retry(d)}>
                  Retry now
                </button>
              )}
            </div>
            {d.status === "failed" && d.reason && <p class="small error-text">{d.reason}</p>}
            <p class="small muted">
              {d.attempts.length} attempt{d.attempts.length === 1 ? "" : "s"}
              {d.status === "pending" && d.next_attempt && <> · next {shortTime(d.next_attempt)}</>}
              <span class="mono"> · webhook-id {d.id}</span>
            </p>
            {d.attempts.length > 0 && (
              <ul class="attempt-list" aria-label="Attempts, newest first">
                {d.attempts.map((a, i) => <AttemptRow key={i} attempt={a} n={i + 1} />).reverse()}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {nextToken && (
        <button type="button" class="btn" onClick={loadOlder}>
          Load older deliveries
        </button>
      )}
    </section>
  );
}

/** An HTTP request as it went on the wire (request line, headers, body); anything else (an email) as JSON. */
function showRequest(r: unknown): string {
  const http = r as { method?: unknown; url?: unknown; headers?: Record<string, string>; body?: unknown };
  if (typeof http.method !== "string" || typeof http.url !== "string") return JSON.stringify(r, null, 2);
  const headers = Object.entries(http.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
  return [`${http.method} ${http.url}`, ...headers, "", typeof http.body === "string" ? http.body : ""].join("\n");
}

function AttemptRow({ attempt: a, n }: { attempt: Attempt; n: number }) {
  const ok = a.status_code !== null && a.status_code >= 200 && a.status_code < 300;
  return (
    <li class="attempt" data-testid="attempt">
      <details>
        <summary>
          <span class="muted">#{n}</span> <TimeAgo iso={a.at} /> ·{" "}
          <span class={ok ? "ok-text" : "error-text"}>{a.status_code ?? "no answer"}</span> · {a.duration_ms} ms
          {a.error && <span class="error-text"> · {a.error}</span>}
        </summary>
        {a.request !== undefined && a.request !== null && (
          <>
            <h3 class="small">Request sent</h3>
            <pre class="code-block mono" data-testid="attempt-request">
              {showRequest(a.request)}
            </pre>
          </>
        )}
        <h3 class="small">Answer</h3>
        <pre class="code-block mono" data-testid="attempt-response">
          {a.response || "(empty)"}
        </pre>
      </details>
    </li>
  );
}
