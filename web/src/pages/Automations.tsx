// Automations: each with its trigger in a line, on/off, when it last fired and, for a Proactive
// trigger, whether it is waiting for its events or down.
import { useEffect, useState } from "preact/hooks";
import { api, type AutomationWithStatus } from "../api.ts";
import { EmptyState, ErrorBox, PageHeader, Spinner, TimeAgo } from "../components/ui.tsx";
import { describeTrigger } from "../lib/automation-text.ts";
import { shortTime } from "../lib/time.ts";
import { useLoad } from "../lib/useLoad.ts";
import { Link } from "../router.tsx";
import { useIsAdmin } from "../session.ts";

/** How often the list is read again while it is shown. */
const REFRESH_MS = 5000;

export function AutomationsPage() {
  const admin = useIsAdmin();
  const list = useLoad(() => api<AutomationWithStatus[]>("POST", "/api/automations/filter", { sort: "NAME_ASC" }));
  const [toggleError, setToggleError] = useState<string | null>(null);

  // The states change on their own (a deadline passes, a trigger fires): read them again while the page is in view.
  useEffect(() => {
    const t = setInterval(() => document.visibilityState === "visible" && list.reload(), REFRESH_MS);
    return () => clearInterval(t);
  }, []);

  const toggle = async (a: AutomationWithStatus) => {
    setToggleError(null);
    try {
      await api("PATCH", `/api/automations/${a.id}`, { enabled: !a.enabled });
      list.reload();
    } catch (e) {
      setToggleError(`${a.name}: ${(e as Error).message}`);
    }
  };

  return (
    <section>
      <PageHeader title="Automations">
        {admin && (
          <Link class="btn primary" href="/automations/new">
            New automation
          </Link>
        )}
      </PageHeader>
      {toggleError && <ErrorBox message={toggleError} />}
      {list.loading && !list.data && <Spinner label="Loading automations" />}
      {list.error && <ErrorBox message={list.error} retry={list.reload} />}
      {list.data?.length === 0 && (
        <EmptyState title="No automations yet">
          <p>An automation watches the events for a pattern (or for their absence) and then notifies you or calls a webhook.</p>
          {admin && (
            <Link class="btn primary" href="/automations/new">
              Create your first automation
            </Link>
          )}
        </EmptyState>
      )}
      {!!list.data?.length && (
        <ul class="cards" aria-label="Automations">
          {list.data.map((a) => (
            <li key={a.id} class={`card automation-card${a.enabled ? "" : " disabled"}`} data-testid="automation-card">
              <div class="card-head">
                <Link href={`/automations/${a.id}`} class="card-title">
                  {a.name}
                </Link>
                {admin ? (
                  <label class="switch">
                    <input type="checkbox" role="switch" checked={a.enabled} onChange={() => toggle(a)} aria-label={`${a.name} enabled`} />
                    <span>{a.enabled ? "Enabled" : "Paused"}</span>
                  </label>
                ) : (
                  <span class={`badge ${a.enabled ? "ok" : ""}`}>{a.enabled ? "Enabled" : "Paused"}</span>
                )}
              </div>
              <p class="small trigger-line">{describeTrigger(a.trigger)}</p>
              <p class="small muted stats">
                <ProactiveState a={a} />
                Last fired: {a.status?.last_triggered ? <TimeAgo iso={a.status.last_triggered} /> : "never"}
                {" · "}
                <Link href={`/automations/${a.id}/deliveries`}>Deliveries</Link>
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ProactiveState({ a }: { a: AutomationWithStatus }) {
  const p = a.status?.proactive;
  if (!p || !a.enabled) return null;
  return p.state === "down" ? (
    <>
      <span class="badge danger" data-testid="proactive-state">
        Down since {shortTime(p.since)}
      </span>{" "}
    </>
  ) : (
    <>
      <span class="badge ok" data-testid="proactive-state">
        Waiting
      </span>{" "}
    </>
  );
}
