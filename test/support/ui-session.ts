// Browser-test helpers the admin UI's suites share: a signed-in admin in headless Chromium against a
// real server, with one webhook, and the checks: API calls from the page, horizontal overflow,
// axe-core, the router's routes, screenshots, and every CSP refusal the browser reports; and for the
// automation and destination suites, people signing in and API calls made as them.
import { afterAll, beforeAll } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchBrowser, ROOT, startInlet, type Browser, type RunningInlet } from "./browser.ts";

export const ADMIN = { email: "admin@example.com", password: "correct horse battery" };
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 860 };
export const JSON_HEADERS = { "content-type": "application/json" };
export const SCREENSHOTS = process.env.INLET_SCREENSHOTS ?? join(ROOT, "test-results", "e2e");
const AXE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");

export interface UiSession {
  server: RunningInlet;
  b: Browser;
  hookId: string;
  hookUrl: string;
  /** Console reports of CSP refusals, over every page loaded. */
  cspViolations: string[];
  page(): Page;
  heading(name: string): Promise<void>;
  /** A call to the REST API from inside the page, as the signed-in admin (the browser adds Origin). */
  apiCall<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }>;
  apiTotal(filter: Record<string, unknown>): Promise<number>;
  shot(name: string): Promise<void>;
  /** Elements wider than the viewport, or the document scrolling sideways, at the current size. */
  horizontalOverflow(): Promise<string[]>;
  /** axe-core's WCAG 2.1 A/AA violations on the page as it is now. */
  axeViolations(): Promise<string[]>;
}

/** The route patterns the app's router knows, read from its table (new pages are covered as they are added). */
export function routePatterns(): string[] {
  const source = readFileSync(join(ROOT, "web/src/App.tsx"), "utf8");
  return [...source.matchAll(/^\s*\["(\/[^"]*)",/gm)].map((m) => m[1]!);
}

/** Registers the suite's beforeAll/afterAll: a server, a browser, the first admin and a webhook with `template`. */
export function uiSession(template: string, webhookName = "shop"): UiSession {
  const s = { cspViolations: [] as string[], hookId: "", hookUrl: "" } as UiSession;
  s.page = () => s.b.page;
  s.heading = (name) => s.page().getByRole("heading", { name, exact: true }).first().waitFor();
  s.apiCall = async (method, path, body) =>
    await s.page().evaluate(
      async ([method, path, body]) => {
        const res = await fetch(path as string, {
          method: method as string,
          headers: body === undefined ? {} : { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, data: text ? JSON.parse(text) : null };
      },
      [method, path, body] as const,
    );
  s.apiTotal = async (filter) => (await s.apiCall<{ total: number }>("POST", "/api/events/filter", { filter, limit: 1 })).data.total;
  s.shot = async (name) => void (await s.page().screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true }));
  s.horizontalOverflow = () =>
    s.page().evaluate(() => {
      const width = document.documentElement.clientWidth;
      const out: string[] = [];
      if (document.documentElement.scrollWidth > width) out.push(`document is ${document.documentElement.scrollWidth}px wide`);
      for (const el of document.querySelectorAll<HTMLElement>("main *, header *")) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        // Inside a deliberately scrolling or clipping box (a code block) overflow is fine.
        let clipped = false;
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          const o = getComputedStyle(p).overflowX;
          if (o === "auto" || o === "scroll" || o === "hidden") {
            clipped = true;
            break;
          }
        }
        if (!clipped && (r.right > width + 1 || r.left < -1))
          out.push(`${el.tagName.toLowerCase()}.${el.className} → ${Math.round(r.right)}px`);
      }
      return out.slice(0, 5);
    });
  s.axeViolations = async () => {
    // evaluate() runs outside the page's CSP, which (rightly) forbids inline scripts.
    await s.page().evaluate(AXE);
    return await s.page().evaluate(async () => {
      type Violation = { id: string; help: string; nodes: { target: string[] }[] };
      const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Violation[] }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
      return result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    });
  };

  beforeAll(async () => {
    s.server = await startInlet();
    s.b = await launchBrowser(s.server.url);
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Chromium reports every CSP refusal on the console.
    s.b.page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) s.cspViolations.push(m.text());
    });
    await s.page().goto(await s.server.setupLink());
    await s.page().getByLabel("Email").fill(ADMIN.email);
    await s.page().getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await s.page().getByLabel("Repeat password").fill(ADMIN.password);
    await s.page().getByRole("button", { name: "Create admin account" }).click();
    await s.heading("Events");
    const res = await s.apiCall<{ id: string; url: string }>("POST", "/api/webhooks/", { name: webhookName, template });
    if (res.status !== 201) throw new Error(`webhook not created: ${res.status}`);
    s.hookId = res.data.id;
    s.hookUrl = res.data.url;
  });

  afterAll(async () => {
    await s.b?.close();
    await s.server?.stop();
  });
  return s;
}

export const VIEWER = { email: "viewer@example.com", password: "viewer password" };

/** Creates the first admin through the setup link; the page is then signed in. */
export async function setUpAdmin(server: RunningInlet, page: Page): Promise<void> {
  await page.goto(await server.setupLink());
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Repeat password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create admin account" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

export async function signIn(page: Page, url: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** A REST call from inside the page, as the signed-in user; throws on a status other than `expect`. */
export async function apiCall<T = unknown>(page: Page, method: string, path: string, body?: unknown, expect?: number): Promise<T> {
  const res = await page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p as string, {
        method: m as string,
        headers: b === undefined ? {} : { "content-type": "application/json" },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      return { status: r.status, text: await r.text() };
    },
    [method, path, body] as const,
  );
  if (expect !== undefined ? res.status !== expect : res.status >= 300)
    throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
  return (res.text ? JSON.parse(res.text) : undefined) as T;
}

/** Whether the page is no wider than the window (no sideways scrolling). */
export const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
