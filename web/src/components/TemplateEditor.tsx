// The template editor: CodeMirror with the syntax error marked at its line as you type (checked by
// POST /api/templates/validate, the same check the server applies on save), and the problem in words
// below it for screen readers and at a glance.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { problemText } from "../lib/problem-text.ts";
import type { SampleRequest } from "../lib/starters.ts";
import type { CodeEditor as Editor } from "./CodeEditor.tsx";

// CodeMirror is most of the bundle: it loads with the first page that edits a template, not before.
let loading: Promise<typeof Editor> | null = null;
const loadEditor = () => (loading ??= import("./CodeEditor.tsx").then((m) => m.CodeEditor));

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
  /** The playground's request: its body, header and query keys are offered as completions. */
  sample?: SampleRequest;
}

export function TemplateEditor({ id, value, onInput, readOnly, onProblem, sample }: Props) {
  const [problem, setProblem] = useState<TemplateProblem | null>(null);
  const [tabIndents, setTabIndents] = useState(false);
  const [CodeEditor, setCodeEditor] = useState<typeof Editor | null>(null);

  useEffect(() => {
    loadEditor().then((c) => setCodeEditor(() => c));
  }, []);

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

  return (
    <div class={`editor${problem ? " has-error" : ""}`}>
      <div class="editor-frame">
        {CodeEditor ? (
          <CodeEditor
            id={id}
            label="Template"
            value={value}
            onChange={onInput}
            readOnly={readOnly}
            problem={problem}
            tabIndents={tabIndents}
            sample={sample}
            describedBy={`${id}-status ${id}-keys`}
          />
        ) : (
          <pre class="code-editor-loading mono" aria-busy="true">
            {value}
          </pre>
        )}
      </div>
      <div class="editor-bar">
        <p
          id={`${id}-status`}
          class={problem ? "editor-status error-text" : "editor-status ok-text"}
          role="status"
          data-testid="template-status"
        >
          {problem ? problemText(problem.message, problem.line) : "Template syntax OK"}
        </p>
        {!readOnly && (
          <label class="check small">
            <input type="checkbox" checked={tabIndents} onChange={(e) => setTabIndents(e.currentTarget.checked)} /> Tab indents
          </label>
        )}
      </div>
      <p id={`${id}-keys`} class="hint">
        {tabIndents ? "Tab indents; press Escape, then Tab, to leave the editor." : "Tab moves to the next field."} Ctrl+Space offers the
        sample's keys after <code>body.</code>, <code>headers[</code> and <code>query.</code>
      </p>
    </div>
  );
}
