// "Test against recent events": replays the last N stored events through the draft's trigger on the
// server and lists the firings it would have made. Nothing is recorded and nothing is sent.
import { useState } from "preact/hooks";
import { api, type DryRunResult, type InletEvent } from "../api.ts";
import type { Draft } from "../lib/automation-draft.ts";
import { shortTime } from "../lib/time.ts";
import { ErrorBox, Field } from "./ui.tsx";

/** Names of the triggering events shown (one request each, so only the first few). */
const NAMED = 20;

export function DryRun({ draft, onError }: { draft: () => Draft | null; onError: (e: unknown) => void }) {
  const [limit, setLimit] = useState(100);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<DryRunResult | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    const automation = draft();
    if (!automation) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await api<DryRunResult>("POST", "/api/automations/dry-run", { automation, limit });
      setResult(r);
      const ids = [...new Set(r.firings.map((f) => f.event_id).filter((x): x is string => !!x))].slice(0, NAMED);
      const events = await Promise.all(ids.map((id) => api<InletEvent>("GET", `/api/events/${id}`).catch(() => null)));
      setNames(Object.fromEntries(events.filter((e) => e).map((e) => [e!.id, e!.event])));
    } catch (e) {
      if ((e as { status?: number }).status === 422) onError(e);
      else setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card dry-run" aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">Test against recent events</h2>
      <p class="muted small">Replays stored events through this trigger as it is now in the editor. Nothing is recorded or sent.</p>
      <div class="row wrap inline-form">
        <Field label="Events to replay" id="dry-limit">
          <input
            id="dry-limit"
            type="number"
            min={1}
            max={10000}
            value={limit}
            onInput={(e) => setLimit(Math.max(1, Number(e.currentTarget.value) || 1))}
          />
        </Field>
        <button type="button" class="btn" onClick={run} disabled={busy}>
          {busy ? "Replaying…" : "Run test"}
        </button>
      </div>
      {error && <ErrorBox message={error} />}
      {result && (
        <div data-testid="dry-run-result" role="status">
          <p>
            Replayed {result.evaluated.toLocaleString()} event{result.evaluated === 1 ? "" : "s"}:{" "}
            <strong>
              {result.firings.length === 0
                ? "it would not have fired"
                : `it would have fired ${result.firings.length} time${result.firings.length === 1 ? "" : "s"}`}
            </strong>
            .
          </p>
          {result.firings.length > 0 && (
            <ol class="firing-list">
              {result.firings.map((f, i) => (
                <li key={i} class="firing">
                  <span class={`badge ${f.state === "Triggered" ? "danger" : "ok"}`}>{f.state}</span>{" "}
                  <time dateTime={f.occurred}>{shortTime(f.occurred)}</time>{" "}
                  {f.event_id ? (
                    <span class="mono">{names[f.event_id] ?? f.event_id}</span>
                  ) : (
                    <span class="muted">no event arrived in time</span>
                  )}
                  {Object.keys(f.triggering_labels).length > 0 && (
                    <span class="muted small mono"> {Object.values(f.triggering_labels).join(", ")}</span>
                  )}
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}
