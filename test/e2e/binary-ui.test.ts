// The compiled binary serves the embedded UI from an empty directory, deep links included.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { BINARY } from "../support/binary.ts";
import { launchBrowser, startInlet, type Browser, type RunningInlet } from "../support/browser.ts";

let server: RunningInlet;
let b: Browser;

beforeAll(async () => {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run "npm run build" first (npm run test:e2e does)`);
  server = await startInlet({ binary: BINARY });
  b = await launchBrowser(server.url);
});

afterAll(async () => {
  await b?.close();
  await server?.stop();
});

test("index.html for client paths (no-cache), hashed assets immutable, API and missing files stay 404", async () => {
  for (const path of ["/", "/webhooks/some-id", "/failures", "/setup"]) {
    const res = await fetch(server.url + path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/html");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
  }
  const html = await (await fetch(server.url)).text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
  const asset = await fetch(server.url + script);
  expect(asset.status).toBe(200);
  expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
  expect((await fetch(`${server.url}/api/nope`)).status).toBe(404);
  // Encoded traversal never leaves the UI folder: a file-like path is a 404, anything else the page.
  expect((await fetch(`${server.url}/assets/..%2f..%2f..%2fsrc%2fmain.ts`)).status).toBe(404);
  expect(await (await fetch(`${server.url}/..%2f..%2f..%2f..%2fetc%2fpasswd`)).text()).not.toContain("root:");
});

test("the setup link works in a browser, and a deep link survives a reload", async () => {
  await b.page.goto(await server.setupLink());
  await b.page.getByRole("heading", { name: "Welcome to Inlet" }).waitFor();
  await b.page.getByLabel("Email").fill("root@example.com");
  await b.page.getByLabel("Password", { exact: true }).fill("binary password");
  await b.page.getByLabel("Repeat password").fill("binary password");
  await b.page.getByRole("button", { name: "Create admin account" }).click();
  await b.page.getByRole("heading", { name: "Events", exact: true }).waitFor();
  await b.page.goto(`${server.url}/service-accounts`);
  await b.page.reload();
  await b.page.getByRole("heading", { name: "Service accounts", exact: true }).waitFor();
  // The template editor is a chunk of its own, loaded on demand: embedded too, styled under the CSP.
  await b.page.goto(`${server.url}/webhooks/new`);
  await b.page.locator(".cm-content .tok-propertyName").first().waitFor();
  expect(await b.page.locator(".cm-gutters").evaluate((el) => getComputedStyle(el).display)).toBe("flex");
  expect(b.foreignRequests).toEqual([]);
});
