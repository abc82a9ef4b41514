// The `inlet` command the README uses everywhere: package.json's bin, as npm installs and links it.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, tempDir } from "../support/cli.ts";

const dir = tempDir("inlet-bin-");
afterAll(() => dir.remove());

async function run(cmd: string[], cwd: string) {
  const proc = Bun.spawn(cmd, {
    cwd,
    // Bun itself comes from the repository's dependencies, as it does after `npm install`.
    env: { PATH: `${join(REPO, "node_modules/.bin")}:${process.env.PATH ?? ""}`, HOME: dir.path, npm_config_cache: join(dir.path, "npm") },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

test("a project that installs Inlet gets `npx inlet`, which runs the CLI", async () => {
  writeFileSync(join(dir.path, "package.json"), JSON.stringify({ name: "uses-inlet", version: "1.0.0", private: true }));
  const install = await run(["npm", "install", "--offline", "--no-audit", "--no-fund", REPO], dir.path);
  expect(install.stderr).not.toContain("ERR");
  expect(install.code).toBe(0);

  const version = await run(["npx", "--offline", "inlet", "--version"], dir.path);
  expect(version).toEqual({ code: 0, stdout: `inlet ${(await Bun.file(join(REPO, "package.json")).json()).version}\n`, stderr: "" });

  const help = await run(["npx", "--offline", "inlet", "serve", "--help"], dir.path);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain("Usage: inlet serve");
}, 60_000);
