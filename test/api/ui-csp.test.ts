import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { uiRoutes } from "../../src/ui.ts";

const root = mkdtempSync(join(tmpdir(), "inlet-ui-"));
writeFileSync(join(root, "index.html"), "<!doctype html><html><head><title>Inlet</title></head><body></body></html>");
afterAll(() => rmSync(root, { recursive: true, force: true }));

const page = () => uiRoutes(root).handle(new Request("http://localhost/webhooks/some-id"));
const nonceOf = (csp: string) => /'nonce-([^']+)'/.exec(csp)?.[1];

describe("the admin page's content security policy", () => {
  test("style elements need this response's nonce, which the page carries for the editor; scripts stay 'self' only", async () => {
    const res = await page();
    const csp = res.headers.get("content-security-policy")!;
    const nonce = nonceOf(csp)!;
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(csp).toContain(`style-src-elem 'self' 'nonce-${nonce}'`);
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/style-src(-elem)? [^;]*'unsafe-inline'/);
    expect(await res.text()).toContain(`<meta property="csp-nonce" nonce="${nonce}" />\n</head>`);
  });

  test("every page load gets a fresh nonce", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) nonces.add(nonceOf((await page()).headers.get("content-security-policy")!)!);
    expect(nonces.size).toBe(5);
  });
});
