// Small building blocks shared by the pages.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { timeAgo } from "../lib/time.ts";
import { toast } from "../lib/toast.ts";

export function Spinner({ label = "Loading" }: { label?: string }) {
  return (
    <div class="spinner" role="status" aria-live="polite">
      <span class="spinner-dot" aria-hidden="true" />
      {label}…
    </div>
  );
}

export function ErrorBox({ message, retry }: { message: string; retry?: () => void }) {
  return (
    <div class="error-box" role="alert">
      <span>{message}</span>
      {retry && (
        <button type="button" class="btn small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

/** Copies text; says so for two seconds. Falls back to selecting a hidden textarea on plain-HTTP origins without the clipboard API. */
export function CopyButton({ text, label = "Copy", class: cls = "" }: { text: string; label?: string; class?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    // The toast names what was copied, never the text itself (it may be a key).
    const what = label.replace(/^Copy\b\s*/, "") || "text";
    toast(`${what.charAt(0).toUpperCase()}${what.slice(1)} copied to the clipboard`);
    setDone(true);
    setTimeout(() => setDone(false), 2000);
  };
  return (
    <button
      type="button"
      class={`btn small ${cls}`}
      onClick={copy}
      aria-label={`${label}: ${text.length > 60 ? text.slice(0, 60) + "…" : text}`}
    >
      {done ? "Copied" : label}
    </button>
  );
}

/** "3 s ago", refreshed every few seconds; the exact time on hover. */
export function TimeAgo({ iso }: { iso: string }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 5000);
    return () => clearInterval(t);
  }, []);
  const date = new Date(iso);
  return (
    <time dateTime={iso} title={date.toLocaleString()}>
      {timeAgo(date)}
    </time>
  );
}

interface FieldProps {
  label: string;
  hint?: ComponentChildren;
  children: ComponentChildren;
  id: string;
  /** The server's complaint about this field, shown beside it. */
  error?: string | null;
}

export function Field({ label, hint, children, id, error }: FieldProps) {
  return (
    <div class={`field${error ? " has-error" : ""}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && <p class="hint">{hint}</p>}
      {error && (
        <p class="field-error" role="alert" data-testid={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <h1>{title}</h1>
      {children && <div class="actions">{children}</div>}
    </div>
  );
}
