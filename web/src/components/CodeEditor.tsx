// CodeMirror 6 for templates: Jinja-in-JSON highlighting, bracket matching, a problem marked at its
// line, completion from the playground's sample. Only the pieces used are imported (no `basicSetup`)
// to keep the bundle small. Tab leaves the editor unless "Tab indents" is on; even then, Escape
// followed by Tab leaves it, so the keyboard is never trapped.
import { autocompletion, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab, temporarilySetTabFocusMode } from "@codemirror/commands";
import { bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";
import { useEffect, useRef } from "preact/hooks";
import type { SampleRequest } from "../lib/starters.ts";
import { sampleCompletions } from "../lib/template-completion.ts";
import { jinjaJson } from "../lib/template-language.ts";

export interface EditorProblem {
  message: string;
  line?: number;
}

interface Props {
  id: string;
  value: string;
  onChange: (v: string) => void;
  readOnly?: boolean;
  problem: EditorProblem | null;
  tabIndents: boolean;
  /** The sample request whose body, headers and query keys are offered as completions. */
  sample?: SampleRequest;
  describedBy?: string;
  label: string;
}

/** The problem as a diagnostic over its whole line (the server reports lines, not columns). */
export function problemDiagnostics(state: EditorState, problem: EditorProblem | null): Diagnostic[] {
  if (!problem) return [];
  const line = state.doc.line(Math.min(Math.max(problem.line ?? 1, 1), state.doc.lines));
  return [{ from: line.from, to: Math.max(line.to, line.from), severity: "error", message: problem.message }];
}

/** The page's CSP nonce (the server puts a fresh one in each page): CodeMirror's style elements carry it. */
function cspNonce(): string {
  return (document.querySelector('meta[property="csp-nonce"]') as HTMLMetaElement | null)?.nonce ?? "";
}

export function CodeEditor({ id, value, onChange, readOnly, problem, tabIndents, sample, describedBy, label }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, sample });
  latest.current = { onChange, sample };
  const tabs = useRef(new Compartment());
  const editable = useRef(new Compartment());
  /** Texts the editor itself reported: the parent echoes them back, maybe late, and must not undo newer typing. */
  const emitted = useRef(new Set<string>());

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          EditorView.cspNonce.of(cspNonce()),
          lineNumbers(),
          // Long lines wrap: the editor never scrolls sideways (nothing hides off-screen on a phone,
          // and there is no scrolling region that a keyboard could not reach).
          EditorView.lineWrapping,
          history(),
          drawSelection(),
          highlightActiveLine(),
          indentOnInput(),
          bracketMatching(),
          jinjaJson,
          syntaxHighlighting(classHighlighter),
          lintGutter(),
          autocompletion({
            override: [sampleCompletions(() => latest.current.sample ?? { method: "POST", headers: "", query: "", body: "" })],
          }),
          Prec.high(keymap.of([{ key: "Escape", run: temporarilySetTabFocusMode }])),
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
          tabs.current.of(tabIndents ? keymap.of([indentWithTab]) : []),
          editable.current.of([EditorState.readOnly.of(!!readOnly), EditorView.editable.of(!readOnly)]),
          EditorView.contentAttributes.of({
            id,
            role: "textbox",
            "aria-multiline": "true",
            "aria-label": label,
            ...(describedBy ? { "aria-describedby": describedBy } : {}),
            autocapitalize: "off",
            autocorrect: "off",
            spellcheck: "false",
          }),
          EditorView.updateListener.of((u) => {
            if (!u.docChanged) return;
            const text = u.state.doc.toString();
            emitted.current.add(text);
            // Echoes arrive within a few renders; older texts need not be remembered.
            if (emitted.current.size > 50) emitted.current.delete(emitted.current.values().next().value!);
            latest.current.onChange(text);
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
  }, []);

  // A value set from outside (a starter, a reload) replaces the text. The editor's own edits come
  // back as values too, possibly a keystroke behind: those are skipped, or two renders would
  // replace each other's text for ever.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    if (!emitted.current.has(value) && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: tabs.current.reconfigure(tabIndents ? keymap.of([indentWithTab]) : []) });
  }, [tabIndents]);

  useEffect(() => {
    view.current?.dispatch({
      effects: editable.current.reconfigure([EditorState.readOnly.of(!!readOnly), EditorView.editable.of(!readOnly)]),
    });
  }, [readOnly]);

  useEffect(() => {
    const v = view.current;
    if (v) v.dispatch(setDiagnostics(v.state, problemDiagnostics(v.state, problem)));
  }, [problem?.message, problem?.line, value]);

  return <div class="code-editor" ref={host} data-testid="code-editor" />;
}
