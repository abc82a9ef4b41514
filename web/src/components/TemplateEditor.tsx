// The template editor: monospace, line numbers, and the syntax error marked at its line as you type
// (checked by POST /api/templates/validate, the same check the server applies on save).
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";

export interface TemplateProblem {
  message: string;
  line?: number;
}

interface Props {
  id: string;
  value: string;
  onInput: (v: string) => void;
  readOnly?: boolean;
  onProblem?: (p: TemplateProblem | null) => void;
}

export function TemplateEditor({ id, value, onInput, readOnly, onProblem }: Props) {
  const [problem, setProblem] = useState<TemplateProblem | null>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split("\n").length;

  useEffect(() => {
    let live = true;
    const t = setTimeout(async () => {
      let next: TemplateProblem | null = null;
      try {
        await api("POST", "/api/templates/validate", { template: value });
      } catch (e) {
        if (e instanceof ApiError && e.status === 422) next = { message: e.message, line: e.line };
        else return; // network trouble is not a template problem
      }
      if (!live) return;
      setProblem(next);
      onProblem?.(next);
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [value]);

  const syncScroll = (e: Event) => {
    if (gutter.current) gutter.current.scrollTop = (e.currentTarget as HTMLTextAreaElement).scrollTop;
  };

  // Tab indents (four spaces) instead of leaving the field; Escape then Tab still moves focus on.
  const [tabTraps, setTabTraps] = useState(true);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") return setTabTraps(false);
    if (e.key !== "Tab" || !tabTraps || e.shiftKey || readOnly) return;
    e.preventDefault();
    const el = e.currentTarget as HTMLTextAreaElement;
    const { selectionStart: s, selectionEnd: end } = el;
    onInput(value.slice(0, s) + "    " + value.slice(end));
    requestAnimationFrame(() => el.setSelectionRange(s + 4, s + 4));
  };

  return (
    <div class={`editor${problem ? " has-error" : ""}`}>
      <div class="editor-frame">
        <div class="gutter mono" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            <div key={i} class={problem?.line === i + 1 ? "gutter-line error" : "gutter-line"}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          id={id}
          class="editor-text mono"
          value={value}
          readOnly={readOnly}
          spellcheck={false}
          autocapitalize="off"
          autocomplete="off"
          wrap="off"
          rows={Math.min(Math.max(lines + 1, 8), 28)}
          aria-describedby={`${id}-status`}
          aria-invalid={problem ? "true" : "false"}
          onInput={(e) => onInput(e.currentTarget.value)}
          onScroll={syncScroll}
          onKeyDown={onKeyDown}
          onBlur={() => setTabTraps(true)}
        />
      </div>
      <p
        id={`${id}-status`}
        class={problem ? "editor-status error-text" : "editor-status ok-text"}
        role="status"
        data-testid="template-status"
      >
        {problem ? `${problem.line ? `Line ${problem.line}: ` : ""}${problem.message}` : "Template syntax OK"}
      </p>
    </div>
  );
}
