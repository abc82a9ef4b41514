// The request an event was made from, as it arrived (headers without credentials, the body
// pretty-printed), with "copy as curl" to send it again.
import { useEffect, useState } from "preact/hooks";
import { api, type Webhook } from "../api.ts";
import { curlCommand, readableBody, type StoredRequest } from "../lib/raw-request.ts";
import { CopyButton } from "./ui.tsx";

export function RawRequestView({ eventId, webhookId }: { eventId: string; webhookId?: string }) {
  const [request, setRequest] = useState<StoredRequest | null | undefined>(undefined);
  const [hookUrl, setHookUrl] = useState("<webhook URL>");

  useEffect(() => {
    api<StoredRequest>("GET", `/api/events/${encodeURIComponent(eventId)}/request`).then(setRequest, () => setRequest(null));
    if (webhookId)
      api<Webhook>("GET", `/api/webhooks/${webhookId}`).then(
        (w) => setHookUrl(w.url),
        () => {},
      );
  }, [eventId, webhookId]);

  if (request === undefined) return null;
  if (request === null)
    return (
      <section class="raw-request" aria-labelledby="raw-title">
        <h2 id="raw-title">Request</h2>
        <p class="muted">No request is kept for this event (it did not come through a webhook, or it is older than the raw retention).</p>
      </section>
    );
  return (
    <section class="raw-request" aria-labelledby="raw-title" data-testid="raw-request">
      <div class="page-header">
        <h2 id="raw-title">
          Request <span class="mono muted small">{request.method}</span>
        </h2>
        <div class="actions">
          <CopyButton text={curlCommand(request, hookUrl)} label="Copy as curl" />
        </div>
      </div>
      {request.query && <p class="mono wrap-anywhere small">?{request.query}</p>}
      <table class="headers-table">
        <caption class="sr-only">Headers</caption>
        <tbody>
          {Object.entries(request.headers).map(([k, v]) => (
            <tr key={k}>
              <th scope="row" class="mono">
                {k}
              </th>
              <td class="mono wrap-anywhere">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <pre class="code-block mono" data-testid="raw-body">
        {readableBody(request) || "(empty body)"}
      </pre>
    </section>
  );
}
