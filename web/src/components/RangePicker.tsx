// The feed's time range: presets relative to now, or a custom window (also set by brushing the chart).
import { RANGES, type TimeRange } from "../lib/time-range.ts";

/** `2026-01-02T03:04` in local time, as <input type="datetime-local"> wants it. */
function localInput(iso?: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const fromLocal = (v: string) => (v ? new Date(v).toISOString() : undefined);

export function RangePicker({ value, onChange }: { value: TimeRange; onChange: (r: TimeRange) => void }) {
  return (
    <div class="range-picker">
      <div class="segmented" role="group" aria-label="Time range">
        {RANGES.map((r) => (
          <button
            key={r.name}
            type="button"
            class="btn small"
            aria-pressed={value.name === r.name}
            onClick={() =>
              onChange(
                r.name === "custom"
                  ? { name: "custom", from: value.from ?? new Date(Date.now() - 3_600_000).toISOString(), to: value.to }
                  : { name: r.name },
              )
            }
          >
            {r.label}
          </button>
        ))}
      </div>
      {value.name === "custom" && (
        <div class="range-custom">
          <label>
            From{" "}
            <input
              type="datetime-local"
              value={localInput(value.from)}
              onChange={(e) => onChange({ ...value, from: fromLocal(e.currentTarget.value) })}
            />
          </label>
          <label>
            To{" "}
            <input
              type="datetime-local"
              value={localInput(value.to)}
              onChange={(e) => onChange({ ...value, to: fromLocal(e.currentTarget.value) })}
            />
          </label>
        </div>
      )}
    </div>
  );
}
