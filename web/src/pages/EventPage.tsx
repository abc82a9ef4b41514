// One event at its own address (/events/{id}), to bookmark or to send to someone: the summary, the
// related resources, a link back to the feed filtered on its resource, and the JSON.
import { useEffect, useState } from "preact/hooks";
import { api, FAILED_EVENT, webhookOf, type InletEvent } from "../api.ts";
import { JsonView } from "../components/JsonView.tsx";
import { RawRequestView } from "../components/RawRequestView.tsx";
import { CopyButton, ErrorBox, PageHeader, Spinner } from "../components/ui.tsx";
import { filterToQuery, EMPTY_FILTER } from "../lib/filter.ts";
import { Link } from "../router.tsx";

export function EventPage({ id }: { id: string }) {
  const [event, setEvent] = useState<InletEvent | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setEvent(null);
    setError(null);
    api<InletEvent>("GET", `/api/events/${encodeURIComponent(id)}`).then(setEvent, (e) =>
      setError(e.status === 404 ? "No event has this id (it may have passed the retention period)." : e.message),
    );
  }, [id]);

  if (error)
    return (
      <section>
        <PageHeader title="Event">
          <Link class="btn" href="/">
            Back to events
          </Link>
        </PageHeader>
        <ErrorBox message={error} />
      </section>
    );
  if (!event) return <Spinner label="Loading event" />;

  const hook = webhookOf(event);
  const failed = event.event === FAILED_EVENT;
  const resourceId = event.resource["prefect.resource.id"] ?? "";
  return (
    <section class="event-page" aria-labelledby="page-title">
      <PageHeader title={event.event}>
        <CopyButton text={location.href} label="Copy link" />
        <Link class="btn" href="/">
          Back to events
        </Link>
      </PageHeader>
      <dl class="facts card">
        <dt>Occurred</dt>
        <dd>
          <time dateTime={event.occurred}>{new Date(event.occurred).toLocaleString()}</time>
        </dd>
        <dt>Received</dt>
        <dd>
          <time dateTime={event.received}>{new Date(event.received).toLocaleString()}</time>
        </dd>
        <dt>Resource</dt>
        <dd class="mono wrap-anywhere">
          <Link href={`/${filterToQuery({ ...EMPTY_FILTER, resource: resourceId })}`} title="Events of this resource">
            {resourceId}
          </Link>
        </dd>
        {hook && (
          <>
            <dt>Webhook</dt>
            <dd>
              <Link href={`/webhooks/${hook.id}`}>{hook.name || hook.id}</Link>
            </dd>
          </>
        )}
        <dt>Id</dt>
        <dd class="mono wrap-anywhere">{event.id}</dd>
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
      {event.related.length > 0 && (
        <>
          <h2>Related resources</h2>
          <ul class="related">
            {event.related.map((r, i) => (
              <li key={i} class="mono wrap-anywhere">
                <span class="badge">{r["prefect.resource.role"] ?? "related"}</span>{" "}
                {r["prefect.resource.name"] || r["prefect.resource.id"]}
              </li>
            ))}
          </ul>
        </>
      )}
      {hook && !failed && <RawRequestView eventId={event.id} webhookId={hook.id} />}
      <JsonView value={event} label="Event" />
    </section>
  );
}
