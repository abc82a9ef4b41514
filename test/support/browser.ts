// The real thing for browser tests: the server as a child process on a free loopback port with a
// temporary data directory, and Debian's Chromium driven by playwright-core.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { waitUntil } from "./wait.ts";

export const ROOT = resolve(import.meta.dir, "../..");
export const RESULTS = join(ROOT, "test-results", "e2e");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function freePort(): Promise<number> {
  return await new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

export interface RunningInlet {
  url: string;
  dataDir: string;
  /** Everything the server wrote to stderr so far. */
  logs(): string;
  /** The one-time setup link printed at first start. */
  setupLink(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `inlet serve` (the compiled binary when `binary` is given, else the source) and waits for it to listen. */
export async function startInlet(opts: { binary?: string; host?: string } = {}): Promise<RunningInlet> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "inlet-e2e-"));
  const cmd = opts.binary ? [opts.binary] : [process.execPath, join(ROOT, "src/main.ts")];
  const proc = Bun.spawn([...cmd, "serve", "--host", opts.host ?? "127.0.0.1", "--port", String(port), "--data-dir", dataDir], {
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? "", HOME: dataDir },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  let output = "";
  (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) output += decoder.decode(chunk, { stream: true });
  })().catch(() => {});
  const waitFor = async (re: RegExp, what: string) => {
    let m = null as RegExpExecArray | null;
    await waitUntil(() => (m = re.exec(output)) !== null || proc.exitCode !== null, what, 15_000).catch(() => {
      throw new Error(`no ${what} in the server output:\n${output}`);
    });
    if (!m) throw new Error(`server exited: ${output}`);
    return m;
  };
  const url = (await waitFor(/listening on (http:\/\/\S+)/, "listening line"))[1]!;
  return {
    url,
    dataDir,
    logs: () => output,
    setupLink: async () => (await waitFor(/open (http:\/\/\S+\/setup\?token=\S+)/, "setup link"))[1]!,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Requests the page made to anywhere but the server under test (there must be none). */
  foreignRequests: string[];
  screenshot(name: string, page?: Page): Promise<void>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile; every request outside `origin` is recorded. */
export async function launchBrowser(origin: string, viewport = { width: 1280, height: 860 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "inlet-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const foreignRequests: string[] = [];
  context.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("ws://" + new URL(origin).host)) foreignRequests.push(u);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  mkdirSync(RESULTS, { recursive: true });
  return {
    context,
    page,
    foreignRequests,
    screenshot: async (name, p = page) => void (await p.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true })),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A sender's request (what curl would send) to a hook URL. */
export async function send(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<number> {
  const res = await fetch(url, { method: init.method ?? "POST", body: init.body, headers: init.headers });
  await res.arrayBuffer();
  return res.status;
}
