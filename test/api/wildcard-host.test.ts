// --host 0.0.0.0 (or ::) without --base-url: hook URLs and the setup link would name an address no
// sender can reach, so the server says so at start and how to fix it; with a base URL it stays quiet.
import { expect, test } from "bun:test";
import { wildcardBaseUrl } from "../../src/server.ts";
import { startLoggedServer } from "../support/raw-http.ts";

test("listening on 0.0.0.0 with the default base URL → one warning naming --base-url", async () => {
  const srv = await startLoggedServer({ host: "0.0.0.0", baseUrl: "http://0.0.0.0:0" });
  try {
    const warnings = srv.lines.filter((l) => l.includes("WARN") && l.includes("every interface"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("name 0.0.0.0");
    expect(warnings[0]).toMatch(/--base-url http:\/\/\S+:\d+/);
    // The hook URLs it hands out still name it: the UI replaces them with the browser's origin.
    const key = srv.server.ctx.serviceAccounts.create("t", "admin").api_key;
    const res = await fetch(`http://127.0.0.1:${srv.port}/api/webhooks/`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "lan", template: '{"event": "x", "resource": {"prefect.resource.id": "x"}}' }),
    });
    expect(((await res.json()) as { url: string }).url).toStartWith(`http://0.0.0.0:${srv.port}/hooks/`);
  } finally {
    await srv.stop();
  }
});

test("with --base-url set, no warning", async () => {
  const srv = await startLoggedServer({ host: "0.0.0.0", baseUrl: "http://nas.lan:4280" });
  try {
    expect(srv.lines.some((l) => l.includes("every interface"))).toBe(false);
  } finally {
    await srv.stop();
  }
});

test.each([
  ["http://0.0.0.0:4280", "0.0.0.0"],
  ["http://[::]:4280", "[::]"],
  ["http://127.0.0.1:4280", null],
  ["https://hooks.example.com", null],
])("wildcardBaseUrl(%s) → %p", (url, expected) => {
  expect(wildcardBaseUrl(url)).toBe(expected);
});
