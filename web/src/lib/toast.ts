// Short notices for actions that finished (saved, copied) or failed. One queue for the whole app;
// components/Toasts.tsx shows it in a live region, so screen readers hear each one once.

export type ToastKind = "ok" | "error";

export interface Toast {
  id: number;
  message: string;
  kind: ToastKind;
}

const SHOW_MS = { ok: 4000, error: 8000 };
const MAX_SHOWN = 3;

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<(t: Toast[]) => void>();
const publish = () => listeners.forEach((fn) => fn(toasts));

export function dismissToast(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  publish();
}

export function toast(message: string, kind: ToastKind = "ok"): void {
  const t = { id: nextId++, message, kind };
  toasts = [...toasts, t].slice(-MAX_SHOWN);
  publish();
  setTimeout(() => dismissToast(t.id), SHOW_MS[kind]);
}

export function onToasts(fn: (t: Toast[]) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
