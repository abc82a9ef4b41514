// deploy/inlet.service: systemd accepts it as written, it carries the hardening the README
// promises, and the settings it passes are ones Inlet reads.
import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, freePort, tempDir } from "../support/cli.ts";
import { startServeProcess } from "../support/serve.ts";

const unit = readFileSync(join(REPO, "deploy/inlet.service"), "utf8");
const directives = unit
  .split("\n")
  .filter((line) => /^[A-Za-z]+=/.test(line))
  .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const);
const dir = tempDir("inlet-unit-");
afterAll(() => dir.remove());

test("systemd-analyze verify finds nothing to say about the unit", async () => {
  // The unit names the installed binary; here the checkout's entry point stands in for it.
  const copy = join(dir.path, "inlet.service");
  writeFileSync(copy, unit.replace("ExecStart=/usr/local/bin/inlet serve", `ExecStart=${join(REPO, "src/main.ts")} serve`));
  const proc = Bun.spawn(["systemd-analyze", "verify", copy], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: "", stderr: "" });
});

test("the unit is hardened: dynamic user, state directory, read-only system, no new privileges, a memory cap", () => {
  const set = new Map(directives);
  expect(set.get("DynamicUser")).toBe("yes");
  expect(set.get("StateDirectory")).toBe("inlet");
  expect(set.get("StateDirectoryMode")).toBe("0700");
  expect(set.get("ProtectSystem")).toBe("strict");
  expect(set.get("NoNewPrivileges")).toBe("yes");
  expect(set.get("MemoryMax")).toMatch(/^\d+[KMG]$/);
  expect(set.get("KillSignal")).toBe("SIGTERM");
  // Bun compiles JavaScript at run time: W^X would kill it on the first hot function.
  expect(set.has("MemoryDenyWriteExecute")).toBe(false);
});

test("Inlet runs with the environment the unit gives it", async () => {
  const env = Object.fromEntries(
    directives.filter(([key]) => key === "Environment").map(([, value]) => value.split("=", 2) as [string, string]),
  );
  expect(Object.keys(env).sort()).toEqual(["INLET_DATA_DIR", "INLET_HOST", "INLET_LOG_FORMAT", "INLET_PORT"]);
  // Where systemd would put the state directory, and a port free here.
  const server = await startServeProcess([], { ...env, INLET_DATA_DIR: join(dir.path, "state"), INLET_PORT: String(await freePort()) });
  try {
    expect(new URL(server.url).hostname).toBe(env.INLET_HOST!);
    expect((await fetch(`${server.url}/api/ready`)).status).toBe(200);
    const lines = server.logs().trim().split("\n");
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  } finally {
    expect(await server.stop()).toBe(0);
  }
});
