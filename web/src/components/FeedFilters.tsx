// The feed's filter bar. Text fields apply as you type (debounced by the page).
import type { Webhook } from "../api.ts";
import type { FeedFilter } from "../lib/filter.ts";

interface Props {
  value: FeedFilter;
  webhooks: Webhook[];
  onChange: (f: FeedFilter) => void;
}

export function FeedFilters({ value, webhooks, onChange }: Props) {
  const set = <K extends keyof FeedFilter>(k: K, v: FeedFilter[K]) => onChange({ ...value, [k]: v });
  return (
    <form class="filters" role="search" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
      <input
        type="search"
        aria-label="Search event text"
        placeholder="Search…"
        value={value.text}
        onInput={(e) => set("text", e.currentTarget.value)}
      />
      <input
        type="text"
        aria-label="Event name or prefix"
        placeholder="Event name or prefix"
        value={value.name}
        disabled={value.failuresOnly}
        onInput={(e) => set("name", e.currentTarget.value)}
      />
      <input
        type="text"
        aria-label="Resource id prefix"
        placeholder="Resource id prefix"
        value={value.resource}
        onInput={(e) => set("resource", e.currentTarget.value)}
      />
      <select aria-label="Webhook" value={value.webhook} onChange={(e) => set("webhook", e.currentTarget.value)}>
        <option value="">All webhooks</option>
        {webhooks.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
      <label class="check">
        <input type="checkbox" checked={value.failuresOnly} onChange={(e) => set("failuresOnly", e.currentTarget.checked)} />
        Failures only
      </label>
    </form>
  );
}
