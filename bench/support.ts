// Shared by the load benchmarks: start the built binary the way a user would, on a free port.
import { resolve } from "node:path";

export const BINARY = resolve(import.meta.dir, "../dist/inlet");

/**
 * Starts `dist/inlet serve` on a free port with per-request logging off (`--log-level warn`, which
 * also hides the "listening" line), then finds the port from the process's own listening socket.
 * `prefix` runs it under another command (e.g. taskset to pin it to a CPU); `binary` is another
 * build to start instead (a comparison run).
 */
export async function startInlet(
  dir: string,
  prefix: string[] = [],
  binary = BINARY,
  flags: string[] = [],
): Promise<{ url: string; proc: ReturnType<typeof Bun.spawn> }> {
  const proc = Bun.spawn([...prefix, binary, "serve", "--port", "0", "--data-dir", dir, "--log-level", "warn", ...flags], {
    stdout: "ignore",
    stderr: "pipe",
  });
  for (let i = 0; i < 100; i++) {
    await Bun.sleep(50);
    const ss = Bun.spawnSync(["ss", "-Hltnp"]).stdout.toString();
    const line = ss.split("\n").find((l) => l.includes(`pid=${proc.pid},`));
    const port = line && /127\.0\.0\.1:(\d+)/.exec(line)?.[1];
    if (port) return { url: `http://127.0.0.1:${port}`, proc };
  }
  throw new Error("inlet did not start");
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
