// A tiny History-API router: the server answers index.html for every client path, so deep links work.
import type { AnchorHTMLAttributes, ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

const EVENT = "inlet:navigate";

/** Asked before an in-app navigation leaves the page; false stays (unsaved changes, say). */
let leaveGuard: ((to: string) => boolean) | null = null;

/** Installs a guard while a page has unsaved work; returns its removal. */
export function guardLeaving(guard: (to: string) => boolean): () => void {
  leaveGuard = guard;
  return () => {
    if (leaveGuard === guard) leaveGuard = null;
  };
}

/** The address last shown, to go back to when Back or Forward is refused by the guard. */
let shown = typeof location === "undefined" ? "" : location.pathname + location.search;

// Back and Forward have already moved when the guard is asked: a refusal puts the page's address
// back, and the listeners below it (useLocation) never hear of the move. Registered before any.
if (typeof window !== "undefined") {
  window.addEventListener("popstate", (e) => {
    const to = location.pathname + location.search;
    if (leaveGuard && new URL(shown, location.origin).pathname !== location.pathname && !leaveGuard(to)) {
      history.pushState(null, "", shown);
      e.stopImmediatePropagation();
      return;
    }
    shown = to;
  });
}

/** `force`: the page itself moves on (after saving), so its guard is not asked. */
export function navigate(to: string, replace = false, force = false): void {
  if (to === location.pathname + location.search) return;
  if (!force && leaveGuard && new URL(to, location.origin).pathname !== location.pathname && !leaveGuard(to)) return;
  history[replace ? "replaceState" : "pushState"](null, "", to);
  shown = location.pathname + location.search;
  window.dispatchEvent(new Event(EVENT));
  window.scrollTo(0, 0);
}

/** The current path and query, re-rendering on navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const read = () => ({ path: location.pathname, query: new URLSearchParams(location.search) });
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = () => setLoc(read());
    window.addEventListener("popstate", update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return loc;
}

/** Matches "/webhooks/:id" against a path; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("/").filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(":")) params[p[i]!.slice(1)] = decodeURIComponent(s[i]!);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

/** An ordinary link (middle-click and copy work) that navigates in place on a plain click. */
export function Link({ href, children, ...rest }: LinkProps) {
  const onClick = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
