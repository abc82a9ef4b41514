// Collapsible JSON on native <details> elements (keyboard and screen-reader friendly), with copy.
import { isRawJson } from "../../../src/json.ts";
import { CopyButton } from "./ui.tsx";

function Value({ value, name, depth }: { value: unknown; name?: string; depth: number }) {
  const label = name !== undefined ? <span class="json-key">{JSON.stringify(name)}: </span> : null;
  // An integer past 2^53 is kept as raw JSON (src/json.ts): a number, printed digit for digit.
  if (value !== null && typeof value === "object" && !isRawJson(value)) {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0)
      return (
        <div class="json-line">
          {label}
          {open}
          {close}
        </div>
      );
    return (
      <details class="json-node" open={depth < 3}>
        <summary>
          {label}
          {open}
          <span class="json-count">
            {" "}
            {entries.length} {Array.isArray(value) ? "item" : "key"}
            {entries.length === 1 ? "" : "s"}{" "}
          </span>
        </summary>
        <div class="json-children">
          {entries.map(([k, v]) => (
            <Value key={k} name={Array.isArray(value) ? undefined : k} value={v} depth={depth + 1} />
          ))}
        </div>
        <div class="json-line">{close}</div>
      </details>
    );
  }
  const cls = value === null ? "json-null" : isRawJson(value) ? "json-number" : `json-${typeof value}`;
  return (
    <div class="json-line">
      {label}
      <span class={cls}>{JSON.stringify(value)}</span>
    </div>
  );
}

export function JsonView({ value, label = "JSON" }: { value: unknown; label?: string }) {
  return (
    <div class="json-view">
      <div class="json-toolbar">
        <span class="muted">{label}</span>
        <CopyButton text={JSON.stringify(value, null, 2)} label="Copy JSON" />
      </div>
      <div class="json-tree mono">
        <Value value={value} depth={0} />
      </div>
    </div>
  );
}
