// The admin UI's second pass in headless Chromium against the real server, part two: backups,
// toasts and the defects a new user found (each test names its fix), then every route of the
// router at 390 px and at desktop, which must neither overflow sideways nor fail axe-core.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { send } from "../support/browser.ts";
import { DESKTOP, PHONE, routePatterns, uiSession } from "../support/ui-session.ts";

const ui = uiSession(
  '{"event": "order.{{ body.action }}", "resource": {"prefect.resource.id": "shop.order.{{ body.id }}"}}',
  "shop orders",
);
const { page, heading, apiCall, axeViolations, horizontalOverflow } = ui;

describe("admin UI: admin pages and the walk-through's fixes", () => {
  test("an event to link to", async () => {
    expect(await send(ui.hookUrl, { body: '{"action": "placed", "id": 1}', headers: { "content-type": "application/json" } })).toBe(204);
  });

  describe("admin pages", () => {
    test("backup: an admin downloads a snapshot from Settings, with a toast", async () => {
      await page().goto(`${ui.server.url}/settings`);
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
      await page().goto(`${ui.server.url}/webhooks/${ui.hookId}`);
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
      await page().goto(`${ui.server.url}/users`);
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
      await page().goto(`${ui.server.url}/service-accounts`);
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
      await page().goto(`${ui.server.url}/failures`);
      const group = page().getByRole("region", { name: "Failures of broken" });
      await group
        .getByTestId("not-stored")
        .filter({ hasText: /^10 more not stored/ })
        .waitFor();
    });

    test("with authentication enforced, a new webhook cannot pick 'None', and says why in a sentence (fix 7)", async () => {
      await apiCall("POST", "/api/service-accounts", { name: "sender", role: "webhook" });
      expect((await apiCall("PATCH", "/api/settings", { enforce_webhook_auth: true })).status).toBe(200);
      await page().goto(`${ui.server.url}/webhooks/new`);
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
        const ids: Record<string, string> = { "/webhooks/:id": ui.hookId, "/events/:id": events.data.events[0]!.id };
        const problems: string[] = [];
        // A disabled webhook's card must still be readable (its contrast was 3.1–3.8:1).
        await apiCall("PATCH", `/api/webhooks/${ui.hookId}`, { enabled: false });
        for (const pattern of routePatterns()) {
          const path = pattern.replace(/:[a-z]+/gi, (p) => ids[pattern] ?? `00000000-0000-4000-8000-00000000000${p.length}`);
          await page().goto(`${ui.server.url}${path}`);
          await page().locator("main h1, main .error-box").first().waitFor();
          await page().waitForLoadState("networkidle");
          for (const o of await horizontalOverflow()) problems.push(`${path}: ${o}`);
          for (const v of await axeViolations()) problems.push(`${path}: ${v}`);
        }
        await apiCall("PATCH", `/api/webhooks/${ui.hookId}`, { enabled: true });
        // The enforce-auth confirmation's long button label is whole, not clipped.
        await page().goto(`${ui.server.url}/settings`);
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
    expect(ui.cspViolations).toEqual([]);
    expect(ui.b.foreignRequests).toEqual([]);
  });
});
