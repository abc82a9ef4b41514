// The template playground: renders the template on a sample request as ingestion would
// (POST /api/templates/render; nothing is stored) and shows the text, the event or the error.
import { useEffect, useState } from "preact/hooks";
import { api, type EventPage, type RenderResult } from "../api.ts";
import { toEventFilter, EMPTY_FILTER } from "../lib/filter.ts";
import { problemText } from "../lib/problem-text.ts";
import { sampleFromStored, type StoredRequest } from "../lib/raw-request.ts";
import { parseHeaderLines, sampleFromPayload, type SampleRequest } from "../lib/starters.ts";
import { JsonView } from "./JsonView.tsx";
import { RequestEditor, type RecentRequest } from "./RequestEditor.tsx";
import { ErrorBox, Spinner } from "./ui.tsx";

interface Props {
  template: string;
  sample: SampleRequest;
  onSample: (s: SampleRequest) => void;
  webhookId?: string;
  /** Start from the webhook's latest real request (when one exists) instead of the given sample. */
  preferRecent?: boolean;
}

function errorText(error: RenderResult["error"]): string | null {
  if (!error) return null;
  if (typeof error === "string") return error;
  return problemText(error.message, error.line);
}

export function Playground({ template, sample, onSample, webhookId, preferRecent }: Props) {
  const [result, setResult] = useState<RenderResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [recent, setRecent] = useState<RecentRequest[]>([]);

  useEffect(() => {
    if (!webhookId) return;
    const filter = toEventFilter({ ...EMPTY_FILTER, webhook: webhookId });
    // The kept raw requests first (what the sender really sent); the requests inside events
    // (failures, debugging payloads) when none are kept.
    const kept = api<{ requests: StoredRequest[] }>("GET", `/api/webhooks/${webhookId}/requests?limit=20`).then(
      (r) =>
        r.requests.flatMap((q) => {
          const s = sampleFromStored(q);
          return s ? [{ id: q.event_id, label: `${new Date(q.received).toLocaleString()} · ${s.method} · as received`, sample: s }] : [];
        }),
      () => [] as RecentRequest[],
    );
    const fromEvents = api<EventPage>("POST", "/api/events/filter", { filter, limit: 20 }).then(
      (page) => {
        const list: RecentRequest[] = [];
        for (const e of page.events) {
          const s = sampleFromPayload(e.payload ?? {});
          if (s) list.push({ id: e.id, label: `${new Date(e.occurred).toLocaleString()} · ${s.method} · ${e.event}`, sample: s });
        }
        return list;
      },
      () => [] as RecentRequest[],
    );
    Promise.all([kept, fromEvents]).then(([raw, events]) => {
      const seen = new Set(raw.map((r) => r.id));
      const list = [...raw, ...events.filter((e) => !seen.has(e.id))];
      setRecent(list);
      if (preferRecent && list[0]) onSample(list[0].sample);
    });
  }, [webhookId]);

  useEffect(() => {
    let live = true;
    const t = setTimeout(async () => {
      try {
        const r = await api<RenderResult>("POST", "/api/templates/render", {
          template,
          ...(webhookId ? { webhook_id: webhookId } : {}),
          request: {
            method: sample.method,
            headers: parseHeaderLines(sample.headers),
            body: sample.body,
            query: Object.fromEntries(new URLSearchParams(sample.query)),
          },
        });
        if (live) setResult(r), setFailure(null);
      } catch (e) {
        if (live) setFailure((e as Error).message);
      }
    }, 400);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [template, JSON.stringify(sample)]);

  const problem = errorText(result?.error ?? null);
  return (
    <section class="playground" aria-labelledby="pg-title">
      <h2 id="pg-title">Playground</h2>
      <div class="playground-grid">
        <RequestEditor value={sample} onChange={onSample} recent={recent} />
        <div class="playground-out" aria-live="polite">
          {failure && <ErrorBox message={failure} />}
          {!result && !failure && <Spinner label="Rendering" />}
          {result && (
            <>
              {problem ? (
                <p class="render-error error-text" data-testid="render-error">
                  {problem}
                </p>
              ) : (
                <p class="ok-text" data-testid="render-ok">
                  Renders to a valid event{result.warnings.length > 0 ? ", but check:" : ""}
                </p>
              )}
              {!problem && result.warnings.length > 0 && (
                <ul class="render-warnings" data-testid="render-warnings">
                  {result.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              )}
              {result.rendered !== null && (
                <details open={!!problem}>
                  <summary>Rendered text</summary>
                  <pre class="code-block mono">{result.rendered}</pre>
                </details>
              )}
              {result.event && <JsonView value={result.event} label="Resulting event" />}
            </>
          )}
        </div>
      </div>
    </section>
  );
}
