// Runs the compiled binary (dist/inlet) as a user would: from an empty directory, on a free port.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const BINARY = resolve(import.meta.dir, "../../dist/inlet");

export function emptyDir(prefix = "inlet-bin-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs a one-shot command of the binary and returns its output. */
export function runBinary(args: string[], cwd: string, env: Record<string, string> = {}) {
  const proc = Bun.spawnSync([BINARY, ...args], { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env }, stdin: "ignore" });
  return { exitCode: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

export interface ServerProcess {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
  logs(): string;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Starts `inlet serve --port 0` and waits for the line that names the URL it listens on. */
export async function startBinaryServer(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> {
  const proc = Bun.spawn([BINARY, "serve", "--port", "0", "--data-dir", "./data", ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  const decoder = new TextDecoder();
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 15_000);
    (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        output += decoder.decode(value, { stream: true });
        const m = /listening on (http:\/\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]!);
        }
      }
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${output}`));
    })().catch(() => {});
  });
  // Keep draining stderr so the server never blocks on a full pipe.
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      output += decoder.decode(value, { stream: true });
    }
  })().catch(() => {});
  return {
    url,
    proc,
    logs: () => output,
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      return await proc.exited;
    },
  };
}
