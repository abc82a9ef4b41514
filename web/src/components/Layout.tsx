// The frame around every signed-in page: navigation, who is signed in, sign-out.
import type { ComponentChildren } from "preact";
import { api } from "../api.ts";
import { Link, useLocation } from "../router.tsx";
import { useMe } from "../session.ts";

const NAV: { href: string; label: string; adminOnly?: boolean }[] = [
  { href: "/", label: "Events" },
  { href: "/webhooks", label: "Webhooks" },
  { href: "/failures", label: "Failures" },
  { href: "/automations", label: "Automations" },
  { href: "/destinations", label: "Destinations", adminOnly: true },
  { href: "/service-accounts", label: "Service accounts" },
  { href: "/settings", label: "Settings" },
  { href: "/users", label: "Users", adminOnly: true },
];

export function Layout({ children, onSignedOut }: { children: ComponentChildren; onSignedOut: () => void }) {
  const me = useMe();
  const { path } = useLocation();
  const current = (href: string) => (href === "/" ? path === "/" : path === href || path.startsWith(href + "/"));
  const signOut = async () => {
    try {
      await api("POST", "/api/auth/logout");
    } finally {
      onSignedOut();
    }
  };
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/" class="brand" aria-label="Inlet home">
          <span class="logo" aria-hidden="true">
            ⇥
          </span>{" "}
          Inlet
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.adminOnly || me.role === "admin").map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={current(n.href) ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class="who-name" title={me.email ?? me.name}>
            {me.email ?? me.name}
          </span>
          <span class={`badge ${me.role}`}>{me.role}</span>
          {me.kind === "user" && (
            <button type="button" class="btn small" onClick={signOut}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main" class="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
