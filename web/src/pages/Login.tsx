// Sign-in. With no admin yet, it explains where the setup link is instead.
import { useEffect, useState } from "preact/hooks";
import { api, type Me } from "../api.ts";
import { ErrorBox, Field } from "../components/ui.tsx";

export function LoginPage({ onDone }: { onDone: (me: Me) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [setupNeeded, setSetupNeeded] = useState(false);

  useEffect(() => {
    api<{ needed: boolean }>("GET", "/api/auth/setup").then(
      (r) => setSetupNeeded(r.needed),
      () => {},
    );
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/api/auth/login", { email, password });
      onDone(await api<Me>("GET", "/api/auth/me"));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <main class="auth-page">
      <form class="card auth-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          <span class="logo" aria-hidden="true">
            ⇥
          </span>{" "}
          Sign in to Inlet
        </h1>
        {setupNeeded && (
          <p class="notice">
            No admin exists yet. Open the <strong>setup link</strong> the server printed when it started (<code>…/setup?token=…</code>), or
            run <code>inlet admin create --email … --password …</code>.
          </p>
        )}
        <Field label="Email" id="login-email">
          <input
            id="login-email"
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <Field label="Password" id="login-password">
          <input
            id="login-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        {error && <ErrorBox message={error} />}
        <button type="submit" class="btn primary wide" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
