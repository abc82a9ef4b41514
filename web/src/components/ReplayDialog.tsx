// Replay failed requests through the webhook's current template: a dry run first, showing what
// would be stored, failed or skipped, then the real run on confirmation.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import type { ReplayResult } from "../../../src/replay/replay.ts";
import { Dialog } from "./Dialog.tsx";
import { ErrorBox, Spinner } from "./ui.tsx";

export type ReplayScope = { event_ids: string[] } | { since: string };

interface Answer {
  results: ReplayResult[];
  more: boolean;
}

function Results({ answer, dryRun }: { answer: Answer; dryRun: boolean }) {
  const count = (s: ReplayResult["status"]) => answer.results.filter((r) => r.status === s).length;
  if (answer.results.length === 0) return <p>No failures to replay.</p>;
  return (
    <>
      <p role="status" data-testid="replay-summary">
        {dryRun ? "Would store" : "Stored"} {count("stored")}, failed {count("failed")}, skipped {count("skipped")}.
        {answer.more && " More failures are in the range."}
      </p>
      <ul class="replay-results">
        {answer.results.map((r) => (
          <li key={r.failure_event_id} class="small">
            <span class={`badge ${r.status === "stored" ? "ok" : r.status === "failed" ? "danger" : ""}`}>{r.status}</span>{" "}
            <span class="mono">{r.failure_event_id.slice(0, 8)}</span> {r.error ?? (r.event_id ? `→ ${r.event_id.slice(0, 8)}` : "")}
          </li>
        ))}
      </ul>
    </>
  );
}

export function ReplayDialog({
  webhookId,
  scope,
  onClose,
  onDone,
}: {
  webhookId: string;
  scope: ReplayScope;
  onClose: () => void;
  onDone: () => void;
}) {
  const [preview, setPreview] = useState<Answer | null>(null);
  const [done, setDone] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = (dry_run: boolean) => api<Answer>("POST", `/api/webhooks/${webhookId}/replay`, { ...scope, dry_run });

  useEffect(() => {
    run(true).then(setPreview, (e) => setError(e.message));
  }, []);

  const replay = async () => {
    setBusy(true);
    try {
      setDone(await run(false));
      onDone();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const willStore = preview?.results.some((r) => r.status === "stored") ?? false;
  return (
    <Dialog title={done ? "Replayed" : "Replay through the current template?"} onClose={onClose}>
      <div class="dialog-body">
        {!preview && !error && <Spinner label="Trying a dry run" />}
        {preview && !done && <Results answer={preview} dryRun />}
        {done && <Results answer={done} dryRun={false} />}
      </div>
      {error && <ErrorBox message={error} />}
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={onClose} autofocus>
          {done ? "Close" : "Cancel"}
        </button>
        {!done && (
          <button type="button" class="btn primary" onClick={replay} disabled={busy || !willStore}>
            {busy ? "Replaying…" : "Replay"}
          </button>
        )}
      </div>
    </Dialog>
  );
}
