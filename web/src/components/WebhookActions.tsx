// Rotate the URL and delete the webhook, each behind a confirmation.
import { useState } from "preact/hooks";
import { api, type Webhook } from "../api.ts";
import { navigate } from "../router.tsx";
import { ConfirmDialog, Dialog } from "./Dialog.tsx";
import { CopyButton } from "./ui.tsx";
import { shownHookUrl } from "../lib/hook-url.ts";

export function WebhookActions({ webhook, onRotated }: { webhook: Webhook; onRotated: (w: Webhook) => void }) {
  const [asking, setAsking] = useState<"rotate" | "delete" | null>(null);
  const [rotated, setRotated] = useState<Webhook | null>(null);

  return (
    <div class="danger-zone">
      <h2>Danger zone</h2>
      <div class="row wrap">
        <button type="button" class="btn" onClick={() => setAsking("rotate")}>
          Rotate URL…
        </button>
        <button type="button" class="btn danger" onClick={() => setAsking("delete")}>
          Delete webhook…
        </button>
      </div>
      {asking === "rotate" && (
        <ConfirmDialog
          title="Rotate this webhook's URL?"
          confirmLabel="Rotate URL"
          onClose={() => setAsking(null)}
          onConfirm={async () => {
            const w = await api<Webhook>("POST", `/api/webhooks/${webhook.id}/rotate`);
            onRotated(w);
            setRotated(w);
          }}
        >
          <p>The current URL stops working at once. Every sender must be given the new one. The template and settings stay.</p>
        </ConfirmDialog>
      )}
      {rotated && (
        <Dialog title="New URL" onClose={() => setRotated(null)}>
          <p>Send requests here from now on:</p>
          <div class="url-row">
            <code class="url mono" data-testid="rotated-url">
              {shownHookUrl(rotated.url)}
            </code>
            <CopyButton text={shownHookUrl(rotated.url)} label="Copy URL" />
          </div>
          <div class="dialog-actions">
            <button type="button" class="btn primary" onClick={() => setRotated(null)} autofocus>
              Done
            </button>
          </div>
        </Dialog>
      )}
      {asking === "delete" && (
        <ConfirmDialog
          title={`Delete “${webhook.name}”?`}
          confirmLabel="Delete webhook"
          danger
          onClose={() => setAsking(null)}
          onConfirm={async () => {
            await api("DELETE", `/api/webhooks/${webhook.id}`);
            navigate("/webhooks");
          }}
        >
          <p>Requests to its URL will get 404. Events it already produced stay in the feed.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
