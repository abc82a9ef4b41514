// The toast stack: a polite live region (errors assertive), bottom right, each with a close button.
import { useEffect, useState } from "preact/hooks";
import { dismissToast, onToasts, type Toast } from "../lib/toast.ts";

export function Toasts() {
  const [list, setList] = useState<Toast[]>([]);
  useEffect(() => onToasts(setList), []);
  return (
    <div class="toasts">
      <div role="status" aria-live="polite" class="toast-region">
        {list
          .filter((t) => t.kind === "ok")
          .map((t) => (
            <ToastItem key={t.id} toast={t} />
          ))}
      </div>
      <div role="alert" aria-live="assertive" class="toast-region">
        {list
          .filter((t) => t.kind === "error")
          .map((t) => (
            <ToastItem key={t.id} toast={t} />
          ))}
      </div>
    </div>
  );
}

function ToastItem({ toast }: { toast: Toast }) {
  return (
    <div class={`toast ${toast.kind}`} data-testid="toast">
      <span>{toast.message}</span>
      <button type="button" class="toast-close" aria-label="Dismiss" onClick={() => dismissToast(toast.id)}>
        ×
      </button>
    </div>
  );
}
