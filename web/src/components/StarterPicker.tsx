// Starting points for a new webhook's template.
import { STARTERS, type Starter } from "../lib/starters.ts";

export function StarterPicker({ chosen, onPick }: { chosen: string | null; onPick: (s: Starter) => void }) {
  return (
    <fieldset class="starters">
      <legend>Start from</legend>
      <div class="starter-grid">
        {STARTERS.map((s) => (
          <button
            key={s.id}
            type="button"
            class={`starter${chosen === s.id ? " chosen" : ""}`}
            aria-pressed={chosen === s.id}
            onClick={() => onPick(s)}
          >
            <strong>{s.name}</strong>
            <span class="muted small">{s.description}</span>
          </button>
        ))}
      </div>
    </fieldset>
  );
}
