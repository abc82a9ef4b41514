// Warns before unsaved changes are lost: on reload or closing the tab (the browser's own prompt) and
// on in-app navigation to another page (a confirm).
import { useEffect } from "preact/hooks";
import { guardLeaving } from "../router.tsx";

export function useUnsavedWarning(dirty: boolean, message = "You have unsaved changes. Leave this page and lose them?"): void {
  useEffect(() => {
    if (!dirty) return;
    const beforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", beforeUnload);
    const unguard = guardLeaving(() => window.confirm(message));
    return () => {
      window.removeEventListener("beforeunload", beforeUnload);
      unguard();
    };
  }, [dirty, message]);
}
