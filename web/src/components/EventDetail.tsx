// The full event, in a dialog: summary, links, and the JSON itself.
import { FAILED_EVENT, webhookOf, type InletEvent } from "../api.ts";
import { Link } from "../router.tsx";
import { useIsAdmin } from "../session.ts";
import { Dialog } from "./Dialog.tsx";
import { JsonView } from "./JsonView.tsx";

export function EventDetail({ event, onClose }: { event: InletEvent; onClose: () => void }) {
  const hook = webhookOf(event);
  const failed = event.event === FAILED_EVENT;
  const admin = useIsAdmin();
  const automate = `/automations/new?${new URLSearchParams({ event: event.event, resource: event.resource["prefect.resource.id"] ?? "" })}`;
  return (
    <Dialog title={event.event} onClose={onClose}>
      <dl class="facts">
        <dt>Occurred</dt>
        <dd>{new Date(event.occurred).toLocaleString()}</dd>
        <dt>Received</dt>
        <dd>{new Date(event.received).toLocaleString()}</dd>
        <dt>Resource</dt>
        <dd class="mono">{event.resource["prefect.resource.id"]}</dd>
        {hook && (
          <>
            <dt>Webhook</dt>
            <dd>
              <Link href={`/webhooks/${hook.id}`} onClick={onClose}>
                {hook.name || hook.id}
              </Link>
            </dd>
          </>
        )}
        {failed && typeof event.payload.error === "string" && (
          <>
            <dt>Error</dt>
            <dd class="error-text">{event.payload.error}</dd>
          </>
        )}
      </dl>
      {failed && hook && (
        <p>
          <Link class="btn small" href={`/webhooks/${hook.id}?replay=${event.id}`}>
            Open this request in the playground
          </Link>
        </p>
      )}
      {admin && (
        <p>
          <Link class="btn small" href={automate}>
            Automate…
          </Link>{" "}
          <span class="muted small">Act when an event like this one arrives, or when it stops arriving.</span>
        </p>
      )}
      <JsonView value={event} label="Event" />
      <div class="dialog-actions">
        <Link class="btn" href={`/events/${event.id}`}>
          Open as a page
        </Link>
        <button type="button" class="btn" onClick={onClose} autofocus>
          Close
        </button>
      </div>
    </Dialog>
  );
}
