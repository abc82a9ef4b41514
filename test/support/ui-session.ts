// Browser-test helpers shared by the admin-page suites: the first admin through the printed setup
// link, and API calls made by the signed-in page itself (its cookie and its Origin, as the UI's own).
import type { Page } from "playwright-core";
import type { RunningInlet } from "./browser.ts";

export const ADMIN = { email: "admin@example.com", password: "correct horse battery" };
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
