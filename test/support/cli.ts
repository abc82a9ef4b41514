// Runs the CLI in-process against a real server on a free loopback port, with captured output.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CliIO } from "../../src/cli/io.ts";
import { run } from "../../src/cli/run.ts";
import { resolveConfig } from "../../src/config.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { silentLogger } from "../../src/log.ts";

export const REPO = resolve(import.meta.dir, "../..");

export function tempDir(prefix = "inlet-cli-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Pretend to be a terminal; answers are given to prompts in order. */
  tty?: boolean;
  answers?: string[];
  stdin?: string;
  signal?: AbortSignal;
  /** Called with each chunk written to stdout (to react while a command runs). */
  onStdout?: (all: string) => void;
}

export interface Session extends Result {
  prompts: string[];
}

/** Runs `inlet …argv` in-process. */
export async function inlet(argv: string[], opts: RunOptions = {}): Promise<Session> {
  let stdout = "";
  let stderr = "";
  const prompts: string[] = [];
  const answers = [...(opts.answers ?? [])];
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
      opts.onStdout?.(stdout);
    },
    stderr: (t) => void (stderr += t),
    prompt: async (q) => {
      prompts.push(q);
      if (!opts.tty) return null;
      return answers.shift() ?? "";
    },
    env: opts.env ?? {},
    isTTY: opts.tty ?? false,
    readStdin: async () => opts.stdin ?? "",
    signal: opts.signal,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr, prompts };
}

export interface TestServer {
  url: string;
  server: RunningServer;
  dataDir: string;
  configHome: string;
  adminKey: string;
  /** Environment for the CLI: server URL and admin key, and a private config directory. */
  env: Record<string, string>;
  /** Calls the API directly (to arrange or check state). */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  stop(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dir = tempDir();
  const dataDir = join(dir.path, "data");
  const configHome = join(dir.path, "config");
  // A concrete free port rather than 0, so that the server's base URL (and so hook URLs) is right.
  const config = resolveConfig({ host: "127.0.0.1", port: String(await freePort()), "data-dir": dataDir, "log-level": "silent" }, {});
  const server = await startServer(config, silentLogger);
  const adminKey = server.ctx.serviceAccounts.create("cli-test-admin", "admin").api_key;
  const url = server.url;
  return {
    url,
    server,
    dataDir,
    configHome,
    adminKey,
    env: { INLET_API_URL: url, INLET_API_KEY: adminKey, XDG_CONFIG_HOME: configHome, HOME: dir.path },
    api: (method, path, body) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    async stop() {
      await server.stop();
      dir.remove();
    },
  };
}

export async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = s.port!;
  await s.stop(true);
  return port;
}

/** A loopback URL nothing listens on. */
export async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** Runs `bun src/main.ts …` as a real process, for real exit codes. Async: the test's server must keep answering. */
export async function spawnInlet(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<Result> {
  const proc = Bun.spawn([process.execPath, join(REPO, "src/main.ts"), ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), ...env },
    stdin: stdin === undefined ? "ignore" : new Blob([stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

export const SIMPLE_TEMPLATE = '{"event": "test.{{ body.action }}", "resource": {"prefect.resource.id": "test.{{ body.id }}"}}';
