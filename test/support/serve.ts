// `bun src/main.ts serve …` as a real process that keeps running: for what only separate processes
// show (a port or a data directory two servers want, a kill -9).
import { join } from "node:path";
import { tmpdir } from "node:os";
import { REPO } from "./cli.ts";

export interface ServeProcess {
  url: string;
  pid: number;
  proc: ReturnType<typeof Bun.spawn>;
  logs(): string;
  /** Sends the signal and resolves to the exit status. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Starts a server and resolves once it says where it listens (so not with --log-level above info); rejects with its output if it exits first. */
export async function startServeProcess(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const proc = Bun.spawn([process.execPath, join(REPO, "src/main.ts"), "serve", ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  const decoder = new TextDecoder();
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  let listening!: (url: string) => void;
  const url = new Promise<string>((resolve) => (listening = resolve));
  // One reader for the whole life of the process, so that the server never blocks on a full pipe.
  const drained = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      output += decoder.decode(value, { stream: true });
      const m = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (m) listening(m[1]!);
    }
  })();
  const exited = proc.exited.then(async (code) => {
    await drained;
    throw new Error(`the server exited (${code}) before listening:\n${output}`);
  });
  return {
    url: await Promise.race([url, exited]),
    pid: proc.pid,
    proc,
    logs: () => output,
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      return await proc.exited;
    },
  };
}

/** Runs a server that is expected to refuse to start: its exit status and stderr, or `listening` if it started (it is then stopped). */
export async function serveExpectingRefusal(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string } | "listening"> {
  try {
    const started = await startServeProcess(args, env);
    await started.stop("SIGKILL");
    return "listening";
  } catch (err) {
    const m = /^the server exited \((\d+)\) before listening:\n([\s\S]*)$/.exec((err as Error).message);
    if (!m) throw err;
    return { code: Number(m[1]), stderr: m[2]! };
  }
}
