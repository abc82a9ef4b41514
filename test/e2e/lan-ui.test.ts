// A server on every interface without --base-url, reached by a browser at an address that works:
// the server warns that its printed URLs name 0.0.0.0, and the admin UI shows hook URLs with the
// origin the browser used, which a sender on the LAN can reach.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { launchBrowser, send, startInlet, type Browser, type RunningInlet } from "../support/browser.ts";

const ADMIN = { email: "lan@example.com", password: "correct horse battery" };
let server: RunningInlet;
let b: Browser;
let origin: string;

beforeAll(async () => {
  server = await startInlet({ host: "0.0.0.0" });
  origin = `http://127.0.0.1:${new URL(server.url).port}`;
  b = await launchBrowser(origin);
});

afterAll(async () => {
  await b?.close();
  await server?.stop();
});

test("the start-up warning names --base-url; the webhooks page shows the browser's origin, and that URL works", async () => {
  expect(server.url).toStartWith("http://0.0.0.0:");
  const link = await server.setupLink();
  expect(server.logs()).toMatch(/WARN .*every interface.*--base-url/);
  const page = b.page;
  await page.goto(link.replace(/^http:\/\/0\.0\.0\.0:\d+/, origin));
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Repeat password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create admin account" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();

  const created = await page.request.post(`${origin}/api/webhooks/`, {
    headers: { origin, "content-type": "application/json" },
    data: { name: "lan", template: '{"event": "lan.test", "resource": {"prefect.resource.id": "lan"}}' },
  });
  expect(created.status()).toBe(201);
  const { url } = (await created.json()) as { url: string };
  expect(url).toStartWith("http://0.0.0.0:");

  await page.goto(`${origin}/webhooks`);
  const shown = (await page.locator("code.url").first().textContent())!.trim();
  expect(shown).toBe(url.replace(/^http:\/\/0\.0\.0\.0:\d+/, origin));
  expect(await send(shown, { body: "{}", headers: { "content-type": "application/json" } })).toBe(204);
  await b.screenshot("lan-webhooks");
});
