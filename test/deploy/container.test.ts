// The Dockerfile's image, as a plain process: no container runtime runs here, so this runs what
// the image runs (the compiled binary, from an empty directory, with the image's environment and
// a fresh volume) and checks what a user of the image relies on.
import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO, freePort, tempDir } from "../support/cli.ts";

const dockerfile = readFileSync(join(REPO, "Dockerfile"), "utf8");
const dir = tempDir("inlet-image-");
afterAll(() => dir.remove());

/** The final stage's ENV, as `KEY=value` pairs joined by line continuations. */
function imageEnv(): Record<string, string> {
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  const env = /\nENV ((?:[^\n]*\\\n)*[^\n]*)/.exec(finalStage)![1]!.replace(/\\\n/g, " ");
  return Object.fromEntries([...env.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

test("the image's binary, environment and volume: serves on all addresses, data on the volume, private", async () => {
  const binary = join(REPO, "dist/inlet");
  expect(existsSync(binary)).toBe(true);
  const env = imageEnv();
  expect(env).toEqual({ INLET_DATA_DIR: "/data", INLET_HOST: "0.0.0.0", INLET_PORT: "4280" });
  expect(dockerfile).toMatch(/\nVOLUME \["\/data"\]\n/);
  expect(dockerfile).toMatch(/\nUSER nonroot\n/);

  const volume = join(dir.path, "data");
  const empty = join(dir.path, "cwd");
  Bun.spawnSync(["mkdir", empty]);
  const port = await freePort();
  const proc = Bun.spawn([binary, "serve"], {
    cwd: empty,
    env: { ...env, INLET_DATA_DIR: volume, INLET_PORT: String(port), INLET_BASE_URL: `http://127.0.0.1:${port}` },
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    let ready = 0;
    for (let i = 0; i < 300 && ready !== 200; i++) {
      ready = await fetch(`http://127.0.0.1:${port}/api/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (ready !== 200) await Bun.sleep(20);
    }
    expect(ready).toBe(200);
    expect((statSync(volume).mode & 0o777).toString(8)).toBe("700");
    expect((statSync(join(volume, "inlet.db")).mode & 0o777).toString(8)).toBe("600");
  } finally {
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  }
});
