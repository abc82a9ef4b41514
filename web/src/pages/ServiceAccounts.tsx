// Service accounts: API keys for the CLI and scripts, and for authenticating webhook senders.
import { useState } from "preact/hooks";
import { api, type ApiError, type ServiceAccount } from "../api.ts";
import { ConfirmDialog, Dialog } from "../components/Dialog.tsx";
import { CopyButton, EmptyState, ErrorBox, Field, PageHeader, Spinner } from "../components/ui.tsx";
import { readableMessage } from "../lib/messages.ts";
import { useLoad } from "../lib/useLoad.ts";
import { useIsAdmin } from "../session.ts";

export function ServiceAccountsPage() {
  const admin = useIsAdmin();
  const list = useLoad(() => api<ServiceAccount[]>("GET", "/api/service-accounts"));
  const [name, setName] = useState("");
  const [role, setRole] = useState<"admin" | "webhook">("webhook");
  const [error, setError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [shown, setShown] = useState<ServiceAccount | null>(null);
  const [asking, setAsking] = useState<{ what: "rotate" | "delete"; account: ServiceAccount } | null>(null);

  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setNameError(null);
    try {
      setShown(await api<ServiceAccount>("POST", "/api/service-accounts", { name, role }));
      setName("");
      list.reload();
    } catch (err) {
      // A taken name belongs to the name field (the server refuses duplicates with 409).
      if ((err as ApiError).status === 409) setNameError(readableMessage((err as Error).message));
      else setError(readableMessage((err as Error).message));
    }
  };

  return (
    <section>
      <PageHeader title="Service accounts" />
      <p class="muted">
        A <strong>webhook</strong> key may only authenticate requests to webhooks that require it; an <strong>admin</strong> key may use the
        whole API (CLI, scripts).
      </p>
      {admin && (
        <form class="card row wrap inline-form" onSubmit={create} aria-label="Create a service account">
          <Field label="Name" id="sa-name">
            <input
              id="sa-name"
              required
              maxLength={200}
              value={name}
              aria-invalid={nameError ? "true" : undefined}
              aria-describedby={nameError ? "sa-name-error" : undefined}
              onInput={(e) => (setName(e.currentTarget.value), setNameError(null))}
            />
            {nameError && (
              <p id="sa-name-error" class="error-text field-error" role="alert">
                {nameError}
              </p>
            )}
          </Field>
          <Field label="Role" id="sa-role">
            <select id="sa-role" value={role} onChange={(e) => setRole(e.currentTarget.value as "admin" | "webhook")}>
              <option value="webhook">webhook</option>
              <option value="admin">admin</option>
            </select>
          </Field>
          <button type="submit" class="btn primary">
            Create
          </button>
        </form>
      )}
      {error && <ErrorBox message={error} />}
      {list.loading && <Spinner label="Loading service accounts" />}
      {list.error && <ErrorBox message={list.error} retry={list.reload} />}
      {list.data?.length === 0 && <EmptyState title="No service accounts">Create one to give a script or a sender its own key.</EmptyState>}
      {!!list.data?.length && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Key</th>
                <th scope="col">Created</th>
                {admin && (
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {list.data.map((a) => (
                <tr key={a.id}>
                  <td>{a.name}</td>
                  <td>
                    <span class="badge">{a.role}</span>
                  </td>
                  <td class="mono">{a.key_prefix}…</td>
                  <td>{new Date(a.created).toLocaleDateString()}</td>
                  {admin && (
                    <td class="actions-cell">
                      <button type="button" class="btn small" onClick={() => setAsking({ what: "rotate", account: a })}>
                        Rotate key
                      </button>
                      <button type="button" class="btn small danger" onClick={() => setAsking({ what: "delete", account: a })}>
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {asking?.what === "rotate" && (
        <ConfirmDialog
          title={`Rotate the key of “${asking.account.name}”?`}
          confirmLabel="Rotate key"
          onClose={() => setAsking(null)}
          onConfirm={async () => setShown(await api<ServiceAccount>("POST", `/api/service-accounts/${asking.account.id}/rotate-key`))}
        >
          <p>The current key stops working at once.</p>
        </ConfirmDialog>
      )}
      {asking?.what === "delete" && (
        <ConfirmDialog
          title={`Delete “${asking.account.name}”?`}
          confirmLabel="Delete"
          danger
          onClose={() => setAsking(null)}
          onConfirm={async () => {
            await api("DELETE", `/api/service-accounts/${asking.account.id}`);
            list.reload();
          }}
        >
          <p>
            Its key stops working, and <strong>the webhooks that require it are deleted too</strong> (as in Prefect Cloud).
          </p>
        </ConfirmDialog>
      )}
      {shown?.api_key && (
        <Dialog
          title={`Key for “${shown.name}”`}
          onClose={() => {
            setShown(null);
            list.reload();
          }}
        >
          <p>
            <strong>Copy it now: it is shown only once.</strong> Inlet keeps only a hash.
          </p>
          <div class="url-row">
            <code class="url mono" data-testid="api-key">
              {shown.api_key}
            </code>
            <CopyButton text={shown.api_key} label="Copy key" />
          </div>
          <div class="dialog-actions">
            <button
              type="button"
              class="btn primary"
              onClick={() => {
                setShown(null);
                list.reload();
              }}
            >
              I have copied it
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
