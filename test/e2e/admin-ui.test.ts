// The admin UI in real headless Chromium against the real server: one user's story, in order.
// Screenshots of the main pages land in test-results/e2e/.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { launchBrowser, send, startInlet, type Browser, type RunningInlet } from "../support/browser.ts";

const ADMIN = { email: "admin@example.com", password: "correct horse battery" };
const VIEWER = { email: "viewer@example.com", password: "viewer password" };
const FORM = { "content-type": "application/x-www-form-urlencoded" };
const GOOD_BODY = "model=recommendations&friendly_name=Recommendations%20%5BProducts%5D";

// Line 4 leaves its string open: valid template syntax, invalid JSON once rendered.
const BROKEN_JSON = `{
    "event": "model.refreshed",
    "resource": {
        "prefect.resource.id": "product.models.{{ body.model }},
        "prefect.resource.name": "{{ body.friendly_name|default(body.model) }}"
    }
}`;
const FIXED = BROKEN_JSON.replace("{{ body.model }},", '{{ body.model }}",');

let server: RunningInlet;
let b: Browser;
let hookUrl = "";
let hookId = "";

beforeAll(async () => {
  server = await startInlet();
  b = await launchBrowser(server.url);
});

afterAll(async () => {
  await b?.close();
  await server?.stop();
});

const page = () => b.page;
const visible = (text: string | RegExp) => page().getByText(text).first().waitFor();
const heading = (name: string) => page().getByRole("heading", { name, exact: true }).waitFor();

async function signIn(who: { email: string; password: string }) {
  await page().getByLabel("Email").fill(who.email);
  await page().getByLabel("Password").fill(who.password);
  await page().getByRole("button", { name: "Sign in" }).click();
  await page().getByRole("button", { name: "Sign out" }).waitFor();
}

async function setTemplate(text: string) {
  await page().locator("#wh-template").fill(text);
}

describe("admin UI, end to end", () => {
  test("first run: the printed setup link creates the first admin and signs them in", async () => {
    const link = await server.setupLink();
    expect(link).toStartWith(`${server.url}/setup?token=`);
    await page().goto(link);
    await heading("Welcome to Inlet");
    await b.screenshot("01-setup");
    await page().getByLabel("Email").fill(ADMIN.email);
    await page().getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page().getByLabel("Repeat password").fill(ADMIN.password);
    await page().getByRole("button", { name: "Create admin account" }).click();
    await heading("Events");
    await visible("No events yet");
    expect(new URL(page().url()).pathname).toBe("/");
    await b.screenshot("02-feed-first-run");
  });

  test("sign out, a wrong password is refused, then sign in", async () => {
    await page().getByRole("button", { name: "Sign out" }).click();
    await heading("Sign in to Inlet");
    expect((await page().request.get(`${server.url}/api/auth/me`)).status()).toBe(401);
    await page().getByLabel("Email").fill(ADMIN.email);
    await page().getByLabel("Password").fill("not the password");
    await page().getByRole("button", { name: "Sign in" }).click();
    await visible("Wrong email or password");
    await b.screenshot("03-sign-in-error");
    await signIn(ADMIN);
    await heading("Events");
  });

  test("create a webhook from a starter, checked live in the playground", async () => {
    await page().getByRole("link", { name: "Webhooks", exact: true }).click();
    await visible("No webhooks yet");
    await page().getByRole("link", { name: "New webhook" }).click();
    await page()
      .getByRole("button", { name: /Dynamic \(form\)/ })
      .click();
    await page().locator("#wh-name").fill("models");
    await page().getByTestId("render-ok").waitFor();
    await page().locator(".playground .json-tree").getByText('"product.models.recommendations"').waitFor();
    await b.screenshot("04-webhook-new");
    await page().getByRole("button", { name: "Create webhook" }).click();
    await page().getByTestId("webhook-url").waitFor();
    hookUrl = (await page().getByTestId("webhook-url").textContent())!;
    hookId = new URL(page().url()).pathname.split("/").pop()!;
    expect(hookUrl).toMatch(new RegExp(`^${server.url}/hooks/[A-Za-z0-9_-]{22}$`));
  });

  test("a request to its URL appears in the feed without a reload", async () => {
    await page().getByRole("link", { name: "Events", exact: true }).click();
    await visible("Waiting for the first event");
    await b.screenshot("05-feed-waiting");
    await page().evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    expect(await send(hookUrl, { body: GOOD_BODY, headers: FORM })).toBe(204);
    await page().locator(".event-row", { hasText: "model.refreshed" }).waitFor({ timeout: 8000 });
    expect(await page().evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    await visible("1 event");
    await b.screenshot("06-feed-live");
    await page().locator(".event-row", { hasText: "model.refreshed" }).click();
    await page().getByRole("dialog").getByText("product.models.recommendations").first().waitFor();
    await b.screenshot("07-event-detail");
    await page().keyboard.press("Escape");
    await page().getByRole("dialog").waitFor({ state: "hidden" });
  });

  test("a sender's 64-bit id shows every digit in the event detail", async () => {
    const body = '{"model": "snowflakes", "message": {"id": 1588453471829446656, "channel_id": 9007199254740993}}';
    expect(await send(hookUrl, { body, headers: { "content-type": "application/json" } })).toBe(204);
    await page().locator(".event-row", { hasText: "snowflakes" }).click();
    const dialog = page().getByRole("dialog");
    await dialog.locator("summary", { hasText: '"message":' }).click(); // deeper than the levels shown open
    await dialog.getByText("1588453471829446656", { exact: true }).waitFor();
    await dialog.getByText("9007199254740993", { exact: true }).waitFor();
    // What JSON.parse alone would have shown.
    expect(await dialog.getByText("1588453471829446700").count()).toBe(0);
    await page().keyboard.press("Escape");
    await page().getByRole("dialog").waitFor({ state: "hidden" });
  });

  test("a syntax error is marked at its line as you type, and cannot be saved", async () => {
    await page().goto(`${server.url}/webhooks/${hookId}`); // a deep link, loaded fresh
    await heading("models");
    await setTemplate('{\n  "event": "x",\n  "n": "{{ body.model "\n}');
    await page()
      .getByTestId("template-status")
      .filter({ hasText: /^Line 3: / })
      .waitFor();
    // The editor marks the problem on line 3 itself, not only in the text below it.
    await page().locator(".cm-line").nth(2).locator(".cm-lintRange-error").waitFor();
    expect(await page().locator(".cm-lintRange-error").count()).toBe(1);
    expect(await page().getByRole("button", { name: "Save changes" }).isDisabled()).toBe(true);
    await b.screenshot("08-template-syntax-error");
  });

  test("a template that renders invalid JSON: the request fails and the failure names the line", async () => {
    await setTemplate(BROKEN_JSON);
    await page().getByTestId("template-status").filter({ hasText: "Template syntax OK" }).waitFor();
    await page().getByRole("button", { name: "Save changes" }).click();
    await page().getByRole("status").filter({ hasText: "Saved" }).waitFor();
    expect(await send(hookUrl, { body: GOOD_BODY, headers: FORM })).toBe(400);
    await page().getByRole("link", { name: "Failures" }).click();
    await heading("Failures");
    const failure = page().getByTestId("failure-error").first();
    await failure.waitFor();
    expect(await failure.textContent()).toMatch(/line 4/i);
    await visible("invalid_json");
    await b.screenshot("09-failures");
  });

  test("each webhook's failure count is the server's total, not just the loaded page", async () => {
    // 60 older failures of the same webhook (more than the sender's failure budget lets through quickly).
    const older = Array.from({ length: 60 }, (_, i) => ({
      event: "prefect-cloud.webhook.failed",
      occurred: new Date(Date.now() - 3_600_000 - i * 1000).toISOString(),
      resource: { "prefect.resource.id": `prefect-cloud.webhook.${hookId}`, "prefect.resource.name": "models" },
      payload: { reason: "invalid_json", error: `older failure ${i}`, method: "POST" },
    }));
    const status = await page().evaluate(
      async (events) =>
        (await fetch("/api/events", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(events) }))
          .status,
      older,
    );
    expect(status).toBe(204);
    await page().reload();
    await heading("Failures");
    const group = page().getByRole("region", { name: "Failures of models" });
    await group.getByText("newest 50 shown").waitFor();
    expect(await group.locator(".badge.danger").first().textContent()).toBe("61");
    expect(await group.getByTestId("failure-error").count()).toBe(50);
    await b.screenshot("09-failures-totals");
    await page().getByRole("button", { name: "Load older failures" }).click();
    await group.getByText("newest 50 shown").waitFor({ state: "detached" });
    expect(await group.getByTestId("failure-error").count()).toBe(61);
  });

  test("open the failed request in the playground and fix the template there", async () => {
    await page().getByRole("link", { name: "Open in playground" }).first().click();
    await visible(/Loaded the request from/);
    await page()
      .getByTestId("render-error")
      .filter({ hasText: /line 4/i })
      .waitFor();
    expect(await page().locator("#pg-body").inputValue()).toContain("model=recommendations");
    await setTemplate(FIXED);
    await page().getByTestId("render-ok").waitFor();
    await b.screenshot("10-playground-fixed");
    await page().getByRole("button", { name: "Save changes" }).click();
    await page().getByRole("status").filter({ hasText: "Saved" }).waitFor();
    expect(await send(hookUrl, { body: GOOD_BODY, headers: FORM })).toBe(204);
  });

  test("rotate the URL after confirming: the old one answers 404, the new one works", async () => {
    await page().getByRole("button", { name: "Rotate URL…" }).click();
    await page().getByRole("dialog").getByText("The current URL stops working at once").waitFor();
    await page().getByRole("dialog").getByRole("button", { name: "Rotate URL" }).click();
    const shown = page().getByTestId("rotated-url");
    await shown.waitFor();
    const newUrl = (await shown.textContent())!;
    expect(newUrl).not.toBe(hookUrl);
    await b.screenshot("11-rotated");
    await page().getByRole("button", { name: "Done" }).click();
    expect(await send(hookUrl, { body: GOOD_BODY, headers: FORM })).toBe(404);
    expect(await send(newUrl, { body: GOOD_BODY, headers: FORM })).toBe(204);
    hookUrl = newUrl;
  });

  test("service accounts: the key is shown once, with copy", async () => {
    await page().getByRole("link", { name: "Service accounts" }).click();
    await page().getByLabel("Name").fill("github-sender");
    await page().getByRole("button", { name: "Create" }).click();
    const key = page().getByTestId("api-key");
    await key.waitFor();
    expect(await key.textContent()).toMatch(/^inlet_[A-Za-z0-9_-]{43}$/);
    await page().getByRole("button", { name: "Copy key" }).waitFor();
    await b.screenshot("12-service-account-key");
    await page().getByRole("button", { name: "I have copied it" }).click();
    await page().getByRole("cell", { name: "github-sender" }).waitFor();
  });

  test("settings warn before enforcing webhook auth", async () => {
    await page().getByRole("link", { name: "Settings" }).click();
    await visible(/disables every webhook that has no service account/);
    await page().getByRole("switch").click();
    await page().getByRole("dialog").waitFor();
    await b.screenshot("13-settings-confirm");
    await page().getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    expect(await page().getByRole("switch").isChecked()).toBe(false);
  });

  test("users: an admin adds a viewer", async () => {
    await page().getByRole("link", { name: "Users" }).click();
    await page().getByLabel("Email").fill(VIEWER.email);
    await page().getByLabel("Initial password").fill(VIEWER.password);
    await page().getByRole("button", { name: "Add user" }).click();
    await page().getByRole("cell", { name: VIEWER.email }).waitFor();
    await b.screenshot("14-users");
  });

  test("phone width: the feed and the editor fit", async () => {
    await page().setViewportSize({ width: 390, height: 844 });
    await page().getByRole("link", { name: "Events", exact: true }).click();
    await page().locator(".event-row").first().waitFor();
    expect(await page().evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await b.screenshot("15-phone-feed");
    await page().goto(`${server.url}/webhooks/${hookId}`);
    await heading("models");
    expect(await page().evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await b.screenshot("16-phone-webhook");
    await page().setViewportSize({ width: 1280, height: 860 });
  });

  test("a viewer sees webhooks and events but cannot edit anything", async () => {
    await page().getByRole("button", { name: "Sign out" }).click();
    await signIn(VIEWER);
    expect(await page().getByRole("link", { name: "Users" }).count()).toBe(0);
    await page().getByRole("link", { name: "Webhooks", exact: true }).click();
    await page().getByRole("link", { name: "models" }).waitFor();
    expect(await page().getByRole("link", { name: "New webhook" }).count()).toBe(0);
    expect(await page().getByRole("switch").count()).toBe(0);
    await page().getByRole("link", { name: "models" }).click();
    await heading("models");
    expect(await page().locator("#wh-name").isDisabled()).toBe(true);
    expect(await page().getByRole("button", { name: "Save changes" }).count()).toBe(0);
    expect(await page().getByRole("button", { name: "Rotate URL…" }).count()).toBe(0);
    // The URL is the credential of a hook without a key: viewers see it masked, with nothing to copy.
    expect(await page().getByTestId("webhook-url").textContent()).toMatch(/\/hooks\/.{4}…$/);
    expect(await page().getByRole("button", { name: "Copy URL" }).count()).toBe(0);
    await b.screenshot("17-viewer-webhook");
    // And the server agrees, whatever the page shows.
    const status = await page().evaluate(
      async (id) =>
        (
          await fetch(`/api/webhooks/${id}`, {
            method: "PATCH",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ enabled: false }),
          })
        ).status,
      hookId,
    );
    expect(status).toBe(403);
  });

  test("sign-out ends the session; a deep link then asks to sign in", async () => {
    await page().getByRole("button", { name: "Sign out" }).click();
    await heading("Sign in to Inlet");
    expect((await page().request.get(`${server.url}/api/auth/me`)).status()).toBe(401);
    await page().goto(`${server.url}/webhooks/${hookId}`);
    await heading("Sign in to Inlet");
  });

  test("the UI made no request to any other origin", () => {
    expect(b.foreignRequests).toEqual([]);
  });
});
