// First run: the one-time link (/setup?token=…) creates the first admin and signs them in.
import { useState } from "preact/hooks";
import { api, type Me } from "../api.ts";
import { ErrorBox, Field } from "../components/ui.tsx";

export function SetupPage({ onDone }: { onDone: (me: Me) => void }) {
  const token = new URLSearchParams(location.search).get("token") ?? "";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (password !== confirm) return setError("The passwords do not match");
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/api/auth/setup", { token, email, password });
      onDone(await api<Me>("GET", "/api/auth/me"));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <main class="auth-page">
      <form class="card auth-card" onSubmit={submit} aria-labelledby="setup-title">
        <h1 id="setup-title">
          <span class="logo" aria-hidden="true">
            ⇥
          </span>{" "}
          Welcome to Inlet
        </h1>
        <p class="muted">Create the first admin account. This link works once.</p>
        {!token && <ErrorBox message="This page needs the setup link the server printed (it ends in ?token=…)." />}
        <Field label="Email" id="setup-email">
          <input
            id="setup-email"
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <Field label="Password" id="setup-password" hint="At least 8 characters.">
          <input
            id="setup-password"
            type="password"
            autocomplete="new-password"
            minLength={8}
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <Field label="Repeat password" id="setup-confirm">
          <input
            id="setup-confirm"
            type="password"
            autocomplete="new-password"
            minLength={8}
            required
            value={confirm}
            onInput={(e) => setConfirm(e.currentTarget.value)}
          />
        </Field>
        {error && <ErrorBox message={error} />}
        <button type="submit" class="btn primary wide" disabled={busy || !token}>
          {busy ? "Creating…" : "Create admin account"}
        </button>
      </form>
    </main>
  );
}
