// Users of the admin UI (admins only): invite, change role, reset password, remove.
import { useState } from "preact/hooks";
import { api, type Role, type User } from "../api.ts";
import { ConfirmDialog, Dialog } from "../components/Dialog.tsx";
import { ErrorBox, Field, PageHeader, Spinner } from "../components/ui.tsx";
import { readableMessage } from "../lib/messages.ts";
import { toast } from "../lib/toast.ts";
import { useLoad } from "../lib/useLoad.ts";
import { useMe } from "../session.ts";

export function UsersPage() {
  const me = useMe();
  const users = useLoad(() => api<User[]>("GET", "/api/users"));
  const [form, setForm] = useState({ email: "", password: "", role: "viewer" as Role });
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<User | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  // A role picked in a row's select waits for that row's Save: one arrow key must not promote anyone.
  const [pendingRoles, setPendingRoles] = useState<Record<string, Role>>({});

  if (me.role !== "admin") return <ErrorBox message="Only admins manage users." />;

  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api("POST", "/api/users", form);
      toast(`${form.email} added as ${form.role}`);
      setForm({ email: "", password: "", role: "viewer" });
      users.reload();
    } catch (err) {
      setError(readableMessage((err as Error).message));
    }
  };
  const changeRole = async (u: User, role: Role) => {
    setError(null);
    try {
      await api("PATCH", `/api/users/${u.id}`, { role });
      setPendingRoles(({ [u.id]: _, ...rest }) => rest);
      toast(`${u.email} is now ${role === "admin" ? "an admin" : "a viewer"}`);
      users.reload();
    } catch (err) {
      toast(`Could not change the role of ${u.email}: ${readableMessage((err as Error).message)}`, "error");
    }
  };

  return (
    <section>
      <PageHeader title="Users" />
      <p class="muted">
        <strong>Admins</strong> can change everything. <strong>Viewers</strong> see webhooks and events and change nothing; they never see
        keys.
      </p>
      <form class="card row wrap inline-form" onSubmit={create} aria-label="Add a user">
        <Field label="Email" id="u-email">
          <input
            id="u-email"
            type="email"
            required
            value={form.email}
            onInput={(e) => setForm({ ...form, email: e.currentTarget.value })}
          />
        </Field>
        <Field label="Initial password" id="u-password">
          <input
            id="u-password"
            type="password"
            autocomplete="new-password"
            minLength={8}
            required
            value={form.password}
            onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
          />
        </Field>
        <Field label="Role" id="u-role">
          <select id="u-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}>
            <option value="viewer">viewer</option>
            <option value="admin">admin</option>
          </select>
        </Field>
        <button type="submit" class="btn primary">
          Add user
        </button>
      </form>
      {error && <ErrorBox message={error} />}
      {users.loading && <Spinner label="Loading users" />}
      {users.error && <ErrorBox message={users.error} retry={users.reload} />}
      {users.data && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <td>
                    {u.email}
                    {u.id === me.id && <span class="muted"> (you)</span>}
                  </td>
                  <td>
                    <div class="role-cell">
                      <select
                        aria-label={`Role of ${u.email}`}
                        value={pendingRoles[u.id] ?? u.role}
                        disabled={u.id === me.id}
                        onChange={(e) => setPendingRoles({ ...pendingRoles, [u.id]: e.currentTarget.value as Role })}
                      >
                        <option value="viewer">viewer</option>
                        <option value="admin">admin</option>
                      </select>
                      {pendingRoles[u.id] && pendingRoles[u.id] !== u.role && (
                        <>
                          <button type="button" class="btn small primary" onClick={() => changeRole(u, pendingRoles[u.id]!)}>
                            Save role
                          </button>
                          <button
                            type="button"
                            class="btn small"
                            onClick={() => setPendingRoles(({ [u.id]: _, ...rest }) => rest)}
                            aria-label={`Cancel the role change of ${u.email}`}
                          >
                            Cancel
                          </button>
                        </>
                      )}
                    </div>
                  </td>
                  <td>{new Date(u.created).toLocaleDateString()}</td>
                  <td class="actions-cell">
                    <button type="button" class="btn small" onClick={() => setResetting(u)}>
                      Set password
                    </button>
                    {u.id !== me.id && (
                      <button type="button" class="btn small danger" onClick={() => setRemoving(u)}>
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.email}?`}
          confirmLabel="Remove user"
          danger
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api("DELETE", `/api/users/${removing.id}`);
            users.reload();
          }}
        >
          <p>They are signed out everywhere and can no longer sign in.</p>
        </ConfirmDialog>
      )}
      {resetting && <PasswordDialog user={resetting} onClose={() => setResetting(null)} />}
    </section>
  );
}

function PasswordDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api("PATCH", `/api/users/${user.id}`, { password });
      onClose();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Dialog title={`New password for ${user.email}`} onClose={onClose}>
      <form onSubmit={submit}>
        <Field label="New password" id="pw-new" hint="At least 8 characters. Their other sessions end.">
          <input
            id="pw-new"
            type="password"
            autocomplete="new-password"
            minLength={8}
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        {error && <ErrorBox message={error} />}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn primary">
            Set password
          </button>
        </div>
      </form>
    </Dialog>
  );
}
