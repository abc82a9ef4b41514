// Webhooks: name, on/off, URL to copy, last event and failures in the last 24 h.
import { useEffect, useState } from "preact/hooks";
import { api, FAILED_EVENT, WEBHOOK_PREFIX, type EventPage, type Webhook } from "../api.ts";
import { CopyButton, EmptyState, ErrorBox, PageHeader, Spinner, TimeAgo } from "../components/ui.tsx";
import { EMPTY_FILTER, toEventFilter } from "../lib/filter.ts";
import { useLoad } from "../lib/useLoad.ts";
import { Link } from "../router.tsx";
import { useIsAdmin } from "../session.ts";

interface Stats {
  last: Record<string, string | undefined>;
  failures: Record<string, number>;
}

async function loadStats(hooks: Webhook[]): Promise<Stats> {
  const since = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const counts = await api<{ value: string; count: number }[]>("POST", "/api/events/count-by/resource", {
    filter: { event: { name: [FAILED_EVENT] }, occurred: { since } },
  }).catch(() => []);
  const failures: Record<string, number> = {};
  for (const c of counts) if (c.value.startsWith(WEBHOOK_PREFIX)) failures[c.value.slice(WEBHOOK_PREFIX.length)] = c.count;
  const last: Stats["last"] = {};
  await Promise.all(
    hooks.map(async (w) => {
      const page = await api<EventPage>("POST", "/api/events/filter", {
        filter: toEventFilter({ ...EMPTY_FILTER, webhook: w.id }),
        limit: 1,
      }).catch(() => null);
      last[w.id] = page?.events[0]?.occurred;
    }),
  );
  return { last, failures };
}

export function WebhooksPage() {
  const admin = useIsAdmin();
  const hooks = useLoad(() => api<Webhook[]>("POST", "/api/webhooks/filter", {}));
  const [stats, setStats] = useState<Stats | null>(null);
  const [toggleError, setToggleError] = useState<string | null>(null);

  useEffect(() => {
    if (hooks.data) loadStats(hooks.data).then(setStats);
  }, [hooks.data]);

  const toggle = async (w: Webhook) => {
    setToggleError(null);
    try {
      await api("PATCH", `/api/webhooks/${w.id}`, { enabled: !w.enabled });
      hooks.setData(hooks.data!.map((x) => (x.id === w.id ? { ...x, enabled: !w.enabled } : x)));
    } catch (e) {
      setToggleError(`${w.name}: ${(e as Error).message}`);
    }
  };

  return (
    <section>
      <PageHeader title="Webhooks">
        {admin && (
          <Link class="btn primary" href="/webhooks/new">
            New webhook
          </Link>
        )}
      </PageHeader>
      {toggleError && <ErrorBox message={toggleError} />}
      {hooks.loading && <Spinner label="Loading webhooks" />}
      {hooks.error && <ErrorBox message={hooks.error} retry={hooks.reload} />}
      {hooks.data?.length === 0 && (
        <EmptyState title="No webhooks yet">
          <p>A webhook gives you a URL; each request to it becomes an event, shaped by a template.</p>
          {admin && (
            <Link class="btn primary" href="/webhooks/new">
              Create your first webhook
            </Link>
          )}
        </EmptyState>
      )}
      {!!hooks.data?.length && (
        <ul class="cards" aria-label="Webhooks">
          {hooks.data.map((w) => (
            <li key={w.id} class={`card webhook-card${w.enabled ? "" : " disabled"}`}>
              <div class="card-head">
                <Link href={`/webhooks/${w.id}`} class="card-title">
                  {w.name}
                </Link>
                {admin ? (
                  <label class="switch">
                    <input type="checkbox" role="switch" checked={w.enabled} onChange={() => toggle(w)} aria-label={`${w.name} enabled`} />
                    <span>{w.enabled ? "Enabled" : "Disabled"}</span>
                  </label>
                ) : (
                  <span class={`badge ${w.enabled ? "ok" : ""}`}>{w.enabled ? "Enabled" : "Disabled"}</span>
                )}
              </div>
              {w.description && <p class="muted">{w.description}</p>}
              <div class="url-row">
                <code class="url mono" title={w.url}>
                  {w.url}
                </code>
                {/* Viewers get the URL masked (it is the credential of a hook without a key): nothing to copy. */}
                {admin && <CopyButton text={w.url} label="Copy URL" />}
              </div>
              <p class="small muted stats">
                Last event: {stats?.last[w.id] ? <TimeAgo iso={stats.last[w.id]!} /> : stats ? "never" : "…"}
                {" · "}
                {stats?.failures[w.id] ? (
                  <Link href={`/failures?webhook=${w.id}`} class="error-text">
                    {stats.failures[w.id]} failure{stats.failures[w.id] === 1 ? "" : "s"} in 24 h
                  </Link>
                ) : stats ? (
                  "no failures in 24 h"
                ) : (
                  ""
                )}
                {w.verification && <> · signed ({w.verification.scheme})</>}
                {w.duplicates > 0 && (
                  <>
                    {" · "}
                    {w.duplicates} redeliver{w.duplicates === 1 ? "y" : "ies"} skipped
                  </>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
