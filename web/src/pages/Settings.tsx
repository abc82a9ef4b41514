// Server-wide settings (GET/PATCH /api/settings).
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { ConfirmDialog } from "../components/Dialog.tsx";
import { ErrorBox, PageHeader, Spinner } from "../components/ui.tsx";
import { BackupCard } from "../components/BackupCard.tsx";
import { toast } from "../lib/toast.ts";
import { useLoad } from "../lib/useLoad.ts";
import { useIsAdmin } from "../session.ts";

interface Settings {
  enforce_webhook_auth: boolean;
  retention_days?: number;
}

export function SettingsPage() {
  const admin = useIsAdmin();
  const settings = useLoad(() => api<Settings>("GET", "/api/settings"));
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const apply = async (on: boolean) => {
    setError(null);
    try {
      settings.setData(
        (await api<Settings>("PATCH", "/api/settings", { enforce_webhook_auth: on })) ?? { ...settings.data!, enforce_webhook_auth: on },
      );
      toast(on ? "Authentication is now required on every webhook" : "Webhooks no longer require authentication");
    } catch (e) {
      setError((e as Error).message);
      throw e;
    }
  };

  return (
    <section>
      <PageHeader title="Settings" />
      {settings.loading && <Spinner label="Loading settings" />}
      {settings.error && <ErrorBox message={settings.error} retry={settings.reload} />}
      {settings.data && (
        <div class="card setting">
          <div class="setting-text">
            <h2 id="enforce-title">Require authentication on every webhook</h2>
            <p class="muted">When on, every webhook must have a service account, and requests must carry that account's key.</p>
            <p class="warning" role="note">
              <strong>Warning:</strong> turning this on immediately <strong>disables every webhook that has no service account</strong>;
              their senders get 404 until you give each one a service account and enable it again. New webhooks cannot be created without
              one.
            </p>
          </div>
          <label class="switch">
            <input
              type="checkbox"
              role="switch"
              aria-labelledby="enforce-title"
              checked={settings.data.enforce_webhook_auth}
              disabled={!admin}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                e.currentTarget.checked = !on; // the dialog decides
                if (on) setConfirming(true);
                else apply(false).catch(() => {});
              }}
            />
            <span>{settings.data.enforce_webhook_auth ? "On" : "Off"}</span>
          </label>
        </div>
      )}
      {error && <ErrorBox message={error} />}
      <div class="card setting">
        <div class="setting-text">
          <h2>Event retention</h2>
          <p class="muted">
            {settings.data?.retention_days ? `Events are kept for ${settings.data.retention_days} days. ` : ""}
            Retention is a server option: start the server with <code>--retention-days N</code> (or <code>INLET_RETENTION_DAYS</code>).
          </p>
        </div>
      </div>
      {admin && <BackupCard />}
      {confirming && (
        <ConfirmDialog
          title="Require authentication on every webhook?"
          confirmLabel="Turn on and disable unauthenticated webhooks"
          danger
          onClose={() => setConfirming(false)}
          onConfirm={() => apply(true)}
        >
          <p>
            Every webhook without a service account will be <strong>disabled now</strong>, and its senders will get 404.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
