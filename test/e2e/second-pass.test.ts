// The admin UI's second pass in headless Chromium against the real server: the template editor,
// the volume chart, linkable events and shareable filters, search, backups, toasts, and the defects
// a new user found (each test names its fix). Every page is also checked at phone width for
// horizontal overflow and with axe-core for accessibility, and the strict CSP must never fire.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, ROOT, send, startInlet, type Browser, type RunningInlet } from "../support/browser.ts";
import { waitUntil } from "../support/wait.ts";

const ADMIN = { email: "admin@example.com", password: "correct horse battery" };
const SCREENSHOTS = process.env.INLET_SCREENSHOTS ?? join(ROOT, "test-results", "e2e");
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };
const JSON_HEADERS = { "content-type": "application/json" };
const TEMPLATE = `{
    "event": "order.{{ body.action }}",
    "resource": {
        "prefect.resource.id": "shop.order.{{ body.order.id }}",
        "prefect.resource.name": "{{ body.note }}"
    }
}`;

let server: RunningInlet;
let b: Browser;
let hookId = "";
let hookUrl = "";
const cspViolations: string[] = [];

const page = () => b.page;
const heading = (name: string) => page().getByRole("heading", { name, exact: true }).first().waitFor();

/** A call to the REST API from inside the page, as the signed-in admin (the browser adds Origin). */
async function apiCall<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
  return await page().evaluate(
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
}

async function apiTotal(filter: Record<string, unknown>): Promise<number> {
  const res = await apiCall<{ total: number }>("POST", "/api/events/filter", { filter, limit: 1 });
  return res.data.total;
}

async function shot(name: string) {
  await page().screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The route patterns the app's router knows, read from its table (new pages are covered as they are added). */
function routePatterns(): string[] {
  const source = readFileSync(join(ROOT, "web/src/App.tsx"), "utf8");
  return [...source.matchAll(/^\s*\["(\/[^"]*)",/gm)].map((m) => m[1]!);
}

/** Elements wider than the viewport, or the document scrolling sideways, at the current size. */
async function horizontalOverflow(): Promise<string[]> {
  return await page().evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > width) out.push(`document is ${document.documentElement.scrollWidth}px wide`);
    for (const el of document.querySelectorAll<HTMLElement>("main *, header *")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // Inside a deliberately scrolling box (a table wrapper, a code block) overflow is fine.
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
}

const AXE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");

/** axe-core's WCAG 2.1 A/AA violations on the page as it is now. */
async function axeViolations(): Promise<string[]> {
  // evaluate() runs outside the page's CSP, which (rightly) forbids inline scripts.
  await page().evaluate(AXE);
  return await page().evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: any[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n: { target: string[] }) => n.target.join(" ")).join(", ")}`);
  });
}

beforeAll(async () => {
  server = await startInlet();
  b = await launchBrowser(server.url);
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Chromium reports every CSP refusal on the console; the test at the end wants none.
  b.page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
});

afterAll(async () => {
  await b?.close();
  await server?.stop();
});

describe("admin UI, second pass", () => {
  test("setup: an admin and a webhook", async () => {
    await page().goto(await server.setupLink());
    await page().getByLabel("Email").fill(ADMIN.email);
    await page().getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page().getByLabel("Repeat password").fill(ADMIN.password);
    await page().getByRole("button", { name: "Create admin account" }).click();
    await heading("Events");
    const res = await apiCall<{ id: string; url: string }>("POST", "/api/webhooks/", { name: "shop", template: TEMPLATE });
    expect(res.status).toBe(201);
    hookId = res.data.id;
    hookUrl = res.data.url;
  });

  describe("template editor (CodeMirror)", () => {
    test("highlights Jinja inside JSON, matches brackets, and marks a syntax error at its line", async () => {
      await page().goto(`${server.url}/webhooks/${hookId}`);
      await page().locator(".cm-content").waitFor();
      expect(await page().locator(".cm-content .tok-propertyName").count()).toBeGreaterThan(0);
      expect(await page().locator(".cm-content .tok-meta").count()).toBeGreaterThan(0); // {{ and }}
      await page()
        .locator(".cm-line")
        .first()
        .click({ position: { x: 2, y: 5 } });
      await page().keyboard.press("Home");
      await page().locator(".cm-matchingBracket").first().waitFor();
      expect(await page().locator(".cm-matchingBracket").count()).toBe(2);

      await page().locator("#wh-template").fill('{\n  "event": "x",\n  "n": "{{ body.model "\n}');
      await page()
        .getByTestId("template-status")
        .filter({ hasText: /^Line 3: / })
        .waitFor();
      await page().locator(".cm-line").nth(2).locator(".cm-lintRange-error").waitFor();
      await page().locator(".cm-gutter-lint .cm-lint-marker-error").first().waitFor();
      expect(await page().getByRole("button", { name: "Save changes" }).isDisabled()).toBe(true);
      // The playground's render error names its line once, not "Line 3: line 3: …".
      const renderError = (await page().getByTestId("render-error").textContent())!;
      expect(renderError).toMatch(/^line 3: /i);
      expect(renderError).not.toMatch(/line 3:.*line 3:/i);
    });

    test("completes body. and headers[ keys from the playground's sample request", async () => {
      await page().locator("#pg-body").fill('{"action": "opened", "order": {"id": 7, "total": 12}, "note": "first"}');
      await page().locator("#pg-headers").fill("content-type: application/json\nx-shop-signature: abc");
      await page().locator("#wh-template").fill('{"event": "{{ body.');
      await page().locator(".cm-content").press("End");
      await page().keyboard.press("Control+Space");
      const options = page().locator(".cm-tooltip-autocomplete li");
      await options.first().waitFor();
      expect(await options.allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining("action"), expect.stringContaining("order")]),
      );
      await page().keyboard.insertText("ord");
      await page().keyboard.press("Enter");
      await page().keyboard.insertText(".");
      await page().keyboard.press("Control+Space");
      await page().locator(".cm-tooltip-autocomplete li", { hasText: "total" }).waitFor();
      await page().keyboard.press("Escape");
      expect(await page().locator(".cm-content").textContent()).toContain("{{ body.order.");

      await page().keyboard.insertText(' }}", "sig": "{{ headers[');
      await page().keyboard.press("Control+Space");
      await page().locator(".cm-tooltip-autocomplete li", { hasText: "x-shop-signature" }).waitFor();
      await page().keyboard.press("Escape");
    });

    test("Tab leaves the editor unless 'Tab indents' is on; then Escape, Tab leaves", async () => {
      await page().locator("#wh-template").fill("{}");
      await page().locator(".cm-content").focus();
      await page().keyboard.press("Tab");
      expect(await page().evaluate(() => document.activeElement?.id)).not.toBe("wh-template");
      expect(await page().locator(".cm-content").textContent()).toBe("{}");

      await page().getByLabel("Tab indents").check();
      await page().getByText("press Escape, then Tab, to leave the editor").waitFor();
      await page().locator(".cm-content").focus();
      await page().keyboard.press("Tab");
      expect(await page().evaluate(() => document.activeElement?.id)).toBe("wh-template");
      expect(await page().locator(".cm-content").textContent()).toMatch(/^\s+\{\}$/);
      await page().keyboard.press("Escape");
      await page().keyboard.press("Tab");
      expect(await page().evaluate(() => document.activeElement?.id)).not.toBe("wh-template");
    });

    test("unsaved edits: leaving asks first (fix 4), and a reload is warned about", async () => {
      await page().locator("#wh-template").fill(TEMPLATE.replace("order.", "orders."));
      let asked = "";
      page().once("dialog", (d) => ((asked = d.message()), d.dismiss()));
      await page().getByRole("link", { name: "Events", exact: true }).click();
      await waitUntil(() => asked !== "", "the leave confirmation");
      expect(asked).toContain("unsaved changes");
      expect(new URL(page().url()).pathname).toBe(`/webhooks/${hookId}`);
      const warnsOnUnload = await page().evaluate(() => {
        const e = new Event("beforeunload", { cancelable: true });
        window.dispatchEvent(e);
        return e.defaultPrevented;
      });
      expect(warnsOnUnload).toBe(true);
      // Saving makes leaving free again, with a toast for the save.
      await page().locator("#wh-template").fill(TEMPLATE);
      await page().getByTestId("template-status").filter({ hasText: "Template syntax OK" }).waitFor();
      await page().locator("#wh-name").fill("shop orders");
      await page().getByRole("button", { name: "Save changes" }).click();
      await page().getByTestId("toast").filter({ hasText: "Webhook updated" }).waitFor();
      await page().getByRole("link", { name: "Events", exact: true }).click();
      await heading("Events");
    });

    test("the rendered result sits beside the template on a wide screen, below it on a phone", async () => {
      await page().goto(`${server.url}/webhooks/${hookId}`);
      await page().getByTestId("render-ok").waitFor();
      const editor = (await page().locator(".code-editor").boundingBox())!;
      const result = (await page().locator(".playground-out").boundingBox())!;
      expect(result.x).toBeGreaterThanOrEqual(editor.x + editor.width);
      expect(result.y).toBeLessThan(editor.y + editor.height);
      await shot("editor-desktop");
      await page().setViewportSize(PHONE);
      await page().getByTestId("render-ok").waitFor();
      const phoneEditor = (await page().locator(".code-editor").boundingBox())!;
      const phoneResult = (await page().locator(".playground-out").boundingBox())!;
      expect(phoneResult.y).toBeGreaterThan(phoneEditor.y + phoneEditor.height);
      expect(await horizontalOverflow()).toEqual([]);
      await shot("editor-390");
      await page().setViewportSize(DESKTOP);
    });
  });

  describe("feed", () => {
    test("the count after a burst is the API's total, never the backfill added on top (fix 1)", async () => {
      // Recorded from the first paint on: every value the count takes.
      await page().addInitScript(() => {
        const w = window as unknown as { counts: string[] };
        w.counts = [];
        new MutationObserver(() => {
          const el = document.querySelector('[data-testid="feed-count"]');
          if (el && w.counts.at(-1) !== el.textContent) w.counts.push(el.textContent ?? "");
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      const bodies = Array.from({ length: 80 }, (_, i) =>
        JSON.stringify({ action: i % 2 ? "paid" : "placed", order: { id: i }, note: i < 40 ? "alpha beta" : i < 60 ? "alpha" : "beta" }),
      );
      for (const body of bodies) expect(await send(hookUrl, { body, headers: JSON_HEADERS })).toBe(204);
      const total = await apiTotal({ occurred: { since: "2000-01-01T00:00:00Z" } });
      expect(total).toBe(80);
      await page().goto(server.url);
      await page().locator(".live-status", { hasText: "Live" }).waitFor();
      await page().getByTestId("feed-count").filter({ hasText: "80 events" }).waitFor();
      // The backfill of the last minute (all 80) has arrived once the websocket is live; give the
      // recount its moment by waiting for a later event to be counted, then look at the history.
      expect(await send(hookUrl, { body: bodies[0]!, headers: JSON_HEADERS })).toBe(204);
      await page().getByTestId("feed-count").filter({ hasText: "81 events" }).waitFor();
      const counts = await page().evaluate(() => (window as unknown as { counts: string[] }).counts);
      expect(counts.map((c) => Number.parseInt(c.replace(/\D/g, ""), 10)).every((n) => n <= 81)).toBe(true);
    });

    test("search words are all required (the UI adds Prefect's +)", async () => {
      await page().getByLabel("Search event text").fill("alpha beta");
      await page()
        .getByTestId("feed-count")
        .filter({ hasText: /^41 events$/ })
        .waitFor();
      expect(await apiTotal({ occurred: { since: "2000-01-01T00:00:00Z" }, text: { query: "+alpha +beta" } })).toBe(41);
      // Prefect's own syntax still works: a minus excludes.
      await page().getByLabel("Search event text").fill("alpha -beta");
      await page()
        .getByTestId("feed-count")
        .filter({ hasText: /^20 events$/ })
        .waitFor();
    });

    test("filters live in the address: shareable, and Back and Forward move between them", async () => {
      await page().getByLabel("Search event text").fill("");
      await page().waitForURL((u) => !u.search.includes("q="));
      await page().getByLabel("Search event text").fill("alpha");
      await page().waitForURL((u) => u.searchParams.get("q") === "alpha");
      await page().getByLabel("Failures only").check();
      await page().waitForURL((u) => u.searchParams.get("failures") === "1");
      await page().getByText("No events match these filters").waitFor();
      await page().goBack();
      await page().waitForURL((u) => u.searchParams.get("failures") === null && u.searchParams.get("q") === "alpha");
      await page()
        .getByTestId("feed-count")
        .filter({ hasText: /^61 events$/ })
        .waitFor();
      expect(await page().getByLabel("Failures only").isChecked()).toBe(false);
      await page().goForward();
      await page().getByText("No events match these filters").waitFor();
      expect(await page().getByLabel("Failures only").isChecked()).toBe(true);
      // A shared link opens the same view.
      await page().goto(`${server.url}/?q=beta&range=1h`);
      expect(await page().getByLabel("Search event text").inputValue()).toBe("beta");
      expect(await page().getByRole("button", { name: "1 h" }).getAttribute("aria-pressed")).toBe("true");
      await page()
        .getByTestId("feed-count")
        .filter({ hasText: /^61 events$/ })
        .waitFor();
    });

    test("the volume chart counts events and failures; dragging across it narrows the feed", async () => {
      const now = Date.now();
      const failures = Array.from({ length: 6 }, (_, i) => ({
        event: "prefect-cloud.webhook.failed",
        occurred: new Date(now - 20 * 60_000 - i * 1000).toISOString(),
        resource: { "prefect.resource.id": `prefect-cloud.webhook.${hookId}`, "prefect.resource.name": "shop orders" },
        payload: { reason: "invalid_json", error: `failure ${i}`, method: "POST" },
      }));
      expect((await apiCall("POST", "/api/events", failures)).status).toBe(204);
      await page().goto(`${server.url}/?range=1h`);
      const chart = page().getByTestId("volume-chart");
      await chart.locator("canvas").waitFor();
      await chart.getByRole("img", { name: "Event volume: 87 events, 6 failures in the window shown" }).waitFor();
      await page()
        .getByTestId("feed-count")
        .filter({ hasText: /^87 events$/ })
        .waitFor();
      await shot("chart-desktop");

      // Drag over the last quarter of the hour: the feed keeps only what happened there.
      const plot = (await chart.locator(".u-over").boundingBox())!;
      await page().mouse.move(plot.x + plot.width * 0.75, plot.y + plot.height / 2);
      await page().mouse.down();
      await page().mouse.move(plot.x + plot.width - 1, plot.y + plot.height / 2, { steps: 5 });
      await page().mouse.up();
      await page().waitForURL((u) => u.searchParams.get("range") === "custom" && !!u.searchParams.get("from"));
      expect(await page().getByRole("button", { name: "Custom" }).getAttribute("aria-pressed")).toBe("true");
      const url = new URL(page().url());
      const window = { since: url.searchParams.get("from")!, until: url.searchParams.get("to")! };
      const inWindow = await apiTotal({ occurred: window });
      expect(inWindow).toBe(81); // the failures are 20 minutes old
      await page()
        .getByTestId("feed-count")
        .filter({ hasText: new RegExp(`^${inWindow} events$`) })
        .waitFor();

      await page().setViewportSize(PHONE);
      await page().goto(`${server.url}/?range=1h`);
      await chart.locator("canvas").waitFor();
      expect(await horizontalOverflow()).toEqual([]);
      await shot("chart-390");
      await page().setViewportSize(DESKTOP);
    });

    test("feed rows are named by their visible time, event, resource and webhook (fix 9)", async () => {
      await page().goto(server.url);
      const row = page().locator(".event-button").first();
      await row.waitFor();
      expect(await row.getAttribute("aria-label")).toBeNull(); // named by what it shows
      // The visible relative time ("18 s ago"), the event, its resource and the webhook, in order.
      expect(await row.ariaSnapshot()).toMatch(/button "(now|\d+ \S+ ago) ?, order\.\w+ ?, on [^"]+ ?, via webhook shop( orders)?"/);
    });
  });

  describe("linkable events", () => {
    test("an event opens as a page at /events/{id}, which also loads on its own", async () => {
      await page().goto(server.url);
      await page().locator(".event-row").first().click();
      await page().getByRole("dialog").getByRole("link", { name: "Open as a page" }).click();
      await page().waitForURL(/\/events\/[0-9a-f-]{36}$/);
      const id = new URL(page().url()).pathname.split("/").pop()!;
      const event = (await apiCall<{ event: string }>("GET", `/api/events/${id}`)).data;
      await heading(event.event);
      await page().reload();
      await heading(event.event);
      await page().getByText("shop orders").first().waitFor();
      await shot("event-page-desktop");
      await page().setViewportSize(PHONE);
      await heading(event.event);
      expect(await horizontalOverflow()).toEqual([]);
      await shot("event-page-390");
      await page().setViewportSize(DESKTOP);
      await page().goto(`${server.url}/events/00000000-0000-4000-8000-000000000000`);
      await page().getByText("No event has this id").waitFor();
    });
  });

  describe("admin pages", () => {
    test("backup: an admin downloads a snapshot from Settings, with a toast", async () => {
      await page().goto(`${server.url}/settings`);
      const [download] = await Promise.all([
        page().waitForEvent("download"),
        page().getByRole("link", { name: "Download backup" }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^inlet-backup-\d{4}-\d\d-\d\dT\d{6}Z\.db$/);
      const file = readFileSync((await download.path())!);
      expect(file.subarray(0, 15).toString()).toBe("SQLite format 3");
      await page().getByTestId("toast").filter({ hasText: "Backup download started" }).waitFor();
    });

    test("copying a webhook's URL says so in a toast", async () => {
      await page().goto(`${server.url}/webhooks/${hookId}`);
      await page()
        .getByRole("button", { name: /^Copy URL/ })
        .click();
      await page().getByTestId("toast").filter({ hasText: "URL copied to the clipboard" }).waitFor();
    });

    test("users: an arrow key on the role select changes nothing until Save (fix 3)", async () => {
      const created = await apiCall<{ id: string }>("POST", "/api/users", {
        email: "viewer@example.com",
        password: "viewer password",
        role: "viewer",
      });
      expect(created.status).toBe(201);
      await page().goto(`${server.url}/users`);
      const select = page().getByLabel("Role of viewer@example.com");
      await select.focus();
      await page().keyboard.press("ArrowDown");
      await page().getByRole("button", { name: "Save role" }).waitFor();
      expect((await apiCall<{ role: string }>("GET", `/api/users/${created.data.id}`)).data.role).toBe("viewer");
      await page().getByRole("button", { name: "Save role" }).click();
      await page().getByTestId("toast").filter({ hasText: "viewer@example.com is now an admin" }).waitFor();
      expect((await apiCall<{ role: string }>("GET", `/api/users/${created.data.id}`)).data.role).toBe("admin");
      await page().getByRole("button", { name: "Save role" }).waitFor({ state: "detached" });
    });

    test("service accounts: a taken name is refused in the form (fix 6)", async () => {
      await page().goto(`${server.url}/service-accounts`);
      for (let i = 0; i < 2; i++) {
        await page().locator("#sa-name").fill("ci");
        await page().getByRole("button", { name: "Create", exact: true }).click();
        if (i === 0) {
          await page().getByRole("dialog").getByRole("button", { name: "I have copied it" }).click();
          await page().getByRole("dialog").waitFor({ state: "hidden" });
        }
      }
      await page().locator("#sa-name-error").filter({ hasText: 'A service account named "ci" already exists' }).waitFor();
      expect(await page().locator("#sa-name").getAttribute("aria-invalid")).toBe("true");
    });

    test("failures dropped under the failure budget are shown as 'N more not stored' (fix 5)", async () => {
      const broken = await apiCall<{ id: string; url: string }>("POST", "/api/webhooks/", { name: "broken", template: "not json" });
      for (let i = 0; i < 30; i++) expect(await send(broken.data.url, { method: "GET" })).toBe(400);
      await page().goto(`${server.url}/failures`);
      const group = page().getByRole("region", { name: "Failures of broken" });
      await group
        .getByTestId("not-stored")
        .filter({ hasText: /^10 more not stored/ })
        .waitFor();
    });

    test("with authentication enforced, a new webhook cannot pick 'None', and says why in a sentence (fix 7)", async () => {
      await apiCall("POST", "/api/service-accounts", { name: "sender", role: "webhook" });
      expect((await apiCall("PATCH", "/api/settings", { enforce_webhook_auth: true })).status).toBe(200);
      await page().goto(`${server.url}/webhooks/new`);
      const none = page().locator("#wh-sa option[value='']");
      await none.waitFor({ state: "attached" });
      await page().locator("#wh-sa option[value='']:disabled").waitFor({ state: "attached" });
      expect(await none.textContent()).toContain("not allowed");
      await page().getByText("Required: authentication is enforced on every webhook").waitFor();
      await page().locator("#wh-name").fill("needs auth");
      await page().getByRole("button", { name: "Create webhook" }).click();
      const error = page().locator(".error-box").filter({ hasText: "Authentication is required on every webhook" });
      await error.waitFor();
      expect(await error.textContent()).not.toContain("service_account_id");
      expect((await apiCall("PATCH", "/api/settings", { enforce_webhook_auth: false })).status).toBe(200);
      page().once("dialog", (d) => d.accept()); // the unsaved new webhook
      await page().getByRole("link", { name: "Events", exact: true }).click();
      await heading("Events");
    });
  });

  describe("every page", () => {
    for (const [label, size] of [
      ["390 px", PHONE],
      ["desktop", DESKTOP],
    ] as const) {
      test(`at ${label}: no horizontal overflow and no axe-core violations (fixes 2 and 9)`, async () => {
        await page().setViewportSize(size);
        const events = await apiCall<{ events: { id: string }[] }>("POST", "/api/events/filter", { limit: 1 });
        const ids: Record<string, string> = { "/webhooks/:id": hookId, "/events/:id": events.data.events[0]!.id };
        const problems: string[] = [];
        // A disabled webhook's card must still be readable (its contrast was 3.1–3.8:1).
        await apiCall("PATCH", `/api/webhooks/${hookId}`, { enabled: false });
        for (const pattern of routePatterns()) {
          const path = pattern.replace(/:[a-z]+/gi, (p) => ids[pattern] ?? `00000000-0000-4000-8000-00000000000${p.length}`);
          await page().goto(`${server.url}${path}`);
          await page().locator("main h1, main .error-box").first().waitFor();
          await page().waitForLoadState("networkidle");
          for (const o of await horizontalOverflow()) problems.push(`${path}: ${o}`);
          for (const v of await axeViolations()) problems.push(`${path}: ${v}`);
        }
        await apiCall("PATCH", `/api/webhooks/${hookId}`, { enabled: true });
        // The enforce-auth confirmation's long button label is whole, not clipped.
        await page().goto(`${server.url}/settings`);
        await page().getByRole("switch", { name: "Require authentication on every webhook" }).click();
        const confirm = page().getByRole("button", { name: "Turn on and disable unauthenticated webhooks" });
        await confirm.waitFor();
        const fits = await confirm.evaluate(
          (el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= window.innerWidth,
        );
        if (!fits) problems.push("/settings: the enforce-auth confirm button's label is clipped");
        for (const v of await axeViolations()) problems.push(`/settings (confirm dialog): ${v}`);
        await page().keyboard.press("Escape");
        await page().setViewportSize(DESKTOP);
        expect(problems).toEqual([]);
      });
    }
  });

  test("the strict CSP never fired, and nothing was loaded from another site", async () => {
    expect(cspViolations).toEqual([]);
    expect(b.foreignRequests).toEqual([]);
  });
});
