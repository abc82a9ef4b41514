// The playground's sample request: method, headers, query and body, or a recent real request.
import type { SampleRequest } from "../lib/starters.ts";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

export interface RecentRequest {
  id: string;
  label: string;
  sample: SampleRequest;
}

interface Props {
  value: SampleRequest;
  onChange: (s: SampleRequest) => void;
  recent: RecentRequest[];
}

export function RequestEditor({ value, onChange, recent }: Props) {
  const set = <K extends keyof SampleRequest>(k: K, v: SampleRequest[K]) => onChange({ ...value, [k]: v });
  return (
    <fieldset class="request-editor">
      <legend>Sample request</legend>
      {recent.length > 0 && (
        <div class="field">
          <label for="pg-recent">Load a recent request</label>
          <select
            id="pg-recent"
            value=""
            onChange={(e) => {
              const r = recent.find((x) => x.id === e.currentTarget.value);
              if (r) onChange(r.sample);
            }}
          >
            <option value="">Choose…</option>
            {recent.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
      )}
      <div class="row">
        <div class="field narrow">
          <label for="pg-method">Method</label>
          <select id="pg-method" value={value.method} onChange={(e) => set("method", e.currentTarget.value)}>
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
        <div class="field grow">
          <label for="pg-query">Query string</label>
          <input
            id="pg-query"
            class="mono"
            placeholder="a=1&b=2"
            value={value.query}
            onInput={(e) => set("query", e.currentTarget.value)}
          />
        </div>
      </div>
      <div class="field">
        <label for="pg-headers">
          Headers <span class="muted">(one “Name: value” per line)</span>
        </label>
        <textarea
          id="pg-headers"
          class="mono"
          rows={3}
          spellcheck={false}
          value={value.headers}
          onInput={(e) => set("headers", e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="pg-body">Body</label>
        <textarea
          id="pg-body"
          class="mono"
          rows={8}
          spellcheck={false}
          value={value.body}
          onInput={(e) => set("body", e.currentTarget.value)}
        />
      </div>
    </fieldset>
  );
}
