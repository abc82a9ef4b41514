// Destinations: where actions send (webhooks, chat, push, email). Admins only, as in the API: their
// fields may hold secrets. A webhook destination's signing secret is shown once, after create or rotate.
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { DestinationForm } from "../components/DestinationForm.tsx";
import { ConfirmDialog, Dialog } from "../components/Dialog.tsx";
import { CopyButton, EmptyState, ErrorBox, Field, PageHeader, Spinner } from "../components/ui.tsx";
import { DESTINATION_TYPES, type Destination } from "../lib/destinations.ts";
import { useLoad } from "../lib/useLoad.ts";
import { useIsAdmin } from "../session.ts";

/** The answer of "Send test". */
interface TestResult {
  ok?: boolean;
  status_code?: number | null;
  duration_ms?: number;
  error?: string | null;
  response?: string | null;
}

type Asking = { what: "delete" | "rotate" | "retry"; d: Destination } | null;

export function DestinationsPage() {
  if (!useIsAdmin())
    return (
      <EmptyState title="Destinations are for admins">
        <p>Their settings hold secrets (tokens, passwords, webhook URLs), so only admins see them.</p>
      </EmptyState>
    );
  return <DestinationList />;
}

function DestinationList() {
  const list = useLoad(() => api<Destination[]>("GET", "/api/destinations"));
  const [editing, setEditing] = useState<Destination | "new" | null>(null);
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [asking, setAsking] = useState<Asking>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, TestResult | "running" | { failed: string }>>({});

  const saved = (d: Destination) => {
    if (d.signing_secret) setSecret({ name: d.name, value: d.signing_secret });
    setEditing(null);
    list.reload();
  };

  const sendTest = async (d: Destination) => {
    setTests((t) => ({ ...t, [d.id]: "running" }));
    try {
      const r = await api<TestResult>("POST", `/api/destinations/${d.id}/test`);
      setTests((t) => ({ ...t, [d.id]: r ?? { ok: true } }));
    } catch (e) {
      setTests((t) => ({ ...t, [d.id]: { failed: (e as Error).message } }));
    }
  };

  return (
    <section>
      <PageHeader title="Destinations">
        {editing === null && (
          <button type="button" class="btn primary" onClick={() => setEditing("new")}>
            New destination
          </button>
        )}
      </PageHeader>
      <p class="muted">Where automations send notifications and webhook calls. Secrets you enter are never shown again.</p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {editing !== null && (
        <DestinationForm
          key={editing === "new" ? "new" : editing.id}
          existing={editing === "new" ? null : editing}
          onSaved={saved}
          onCancel={() => setEditing(null)}
        />
      )}
      {list.loading && !list.data && <Spinner label="Loading destinations" />}
      {list.error && <ErrorBox message={list.error} retry={list.reload} />}
      {list.data?.length === 0 && editing === null && (
        <EmptyState title="No destinations yet">
          <p>Add a webhook, Slack, Discord, Teams, ntfy, Gotify or email destination, then pick it in an automation's actions.</p>
        </EmptyState>
      )}
      {!!list.data?.length && (
        <ul class="cards" aria-label="Destinations">
          {list.data.map((d) => (
            <li key={d.id} class={`card destination-card${d.enabled ? "" : " disabled"}`} data-testid="destination-card">
              <div class="card-head">
                <span class="card-title">{d.name}</span>
                <span class="badge">{DESTINATION_TYPES[d.type]?.label ?? d.type}</span>
              </div>
              {typeof d.config.url === "string" && <code class="url mono">{d.config.url}</code>}
              {!d.enabled && <p class="error-text small">Disabled{d.disabled_reason ? `: ${d.disabled_reason}` : ""}</p>}
              <TestOutcome result={tests[d.id]} />
              <div class="row wrap">
                <button type="button" class="btn small" onClick={() => sendTest(d)} disabled={tests[d.id] === "running"}>
                  Send test
                </button>
                <button type="button" class="btn small" onClick={() => setEditing(d)}>
                  Edit
                </button>
                {d.type === "webhook" && (
                  <button type="button" class="btn small" onClick={() => setAsking({ what: "rotate", d })}>
                    Rotate signing secret…
                  </button>
                )}
                <button type="button" class="btn small" onClick={() => setAsking({ what: "retry", d })}>
                  Retry failed…
                </button>
                <button type="button" class="btn small danger" onClick={() => setAsking({ what: "delete", d })}>
                  Delete…
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {asking?.what === "rotate" && (
        <ConfirmDialog
          title={`Rotate the signing secret of “${asking.d.name}”?`}
          confirmLabel="Rotate secret"
          onClose={() => setAsking(null)}
          onConfirm={async () => {
            const r = await api<{ signing_secret: string }>("POST", `/api/destinations/${asking.d.id}/rotate-secret`);
            setSecret({ name: asking.d.name, value: r.signing_secret });
          }}
        >
          <p>Requests are signed with both the old and the new secret for a while, so the receiver can switch without losing any.</p>
        </ConfirmDialog>
      )}
      {asking?.what === "retry" && (
        <RetryFailed
          destination={asking.d}
          onClose={() => setAsking(null)}
          onDone={(n) => setNotice(`${asking.d.name}: ${n} failed deliver${n === 1 ? "y" : "ies"} queued again.`)}
        />
      )}
      {asking?.what === "delete" && (
        <ConfirmDialog
          title={`Delete “${asking.d.name}”?`}
          confirmLabel="Delete destination"
          danger
          onClose={() => setAsking(null)}
          onConfirm={async () => {
            await api("DELETE", `/api/destinations/${asking.d.id}`);
            list.reload();
          }}
        >
          <p>Actions that name it will fail until they are pointed elsewhere.</p>
        </ConfirmDialog>
      )}
      {secret && (
        <Dialog title={`Signing secret of “${secret.name}”`} onClose={() => setSecret(null)}>
          <p>
            <strong>Copy it now: it is shown only once.</strong> Receivers verify the <code>webhook-signature</code> header with it
            (Standard Webhooks).
          </p>
          <div class="url-row">
            <code class="url mono" data-testid="signing-secret">
              {secret.value}
            </code>
            <CopyButton text={secret.value} label="Copy secret" />
          </div>
          <div class="dialog-actions">
            <button type="button" class="btn primary" onClick={() => setSecret(null)}>
              I have copied it
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

function TestOutcome({ result }: { result: TestResult | "running" | { failed: string } | undefined }) {
  if (!result) return null;
  if (result === "running")
    return (
      <p class="small muted" role="status">
        Sending a test…
      </p>
    );
  if ("failed" in result)
    return (
      <p class="small error-text" role="status" data-testid="test-result">
        Test failed: {result.failed}
      </p>
    );
  const ok = result.ok ?? (result.status_code != null && result.status_code < 300);
  return (
    <p class={`small ${ok ? "ok-text" : "error-text"}`} role="status" data-testid="test-result">
      {ok ? "Test delivered" : "Test failed"}
      {result.status_code != null && `: ${result.status_code}`}
      {result.duration_ms != null && ` in ${result.duration_ms} ms`}
      {result.error && ` · ${result.error}`}
    </p>
  );
}

/** "Retry failed since T": every delivery to the destination that failed since then is queued again. */
function RetryFailed({
  destination,
  onDone,
  onClose,
}: {
  destination: Destination;
  onDone: (retried: number) => void;
  onClose: () => void;
}) {
  // datetime-local takes local time without a zone; a day ago to start with.
  const [since, setSince] = useState(() => {
    const d = new Date(Date.now() - 86_400_000);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  });
  return (
    <ConfirmDialog
      title={`Retry the failed deliveries to “${destination.name}”?`}
      confirmLabel="Retry them"
      onClose={onClose}
      onConfirm={async () => {
        const body = { since: new Date(since).toISOString() };
        onDone((await api<{ retried: number }>("POST", `/api/destinations/${destination.id}/retry-failed`, body)).retried);
      }}
    >
      <Field label="Failed since" id="retry-since">
        <input id="retry-since" type="datetime-local" required value={since} onInput={(e) => setSince(e.currentTarget.value)} />
      </Field>
    </ConfirmDialog>
  );
}
