import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { startServer } from "../../src/server.ts";
import { deadUrl, inlet, SIMPLE_TEMPLATE, spawnInlet, startTestServer, tempDir, type TestServer } from "../support/cli.ts";

const HELP = [
  [[], "inlet <command>"],
  [["serve"], "inlet serve"],
  [["login"], "inlet login"],
  [["logout"], "inlet logout"],
  [["webhook"], "inlet webhook <command>"],
  [["webhook", "ls"], "inlet webhook ls"],
  [["webhook", "get"], "inlet webhook get WEBHOOK_ID"],
  [["webhook", "create"], "inlet webhook create WEBHOOK_NAME"],
  [["webhook", "update"], "inlet webhook update WEBHOOK_ID"],
  [["webhook", "toggle"], "inlet webhook toggle WEBHOOK_ID"],
  [["webhook", "rotate"], "inlet webhook rotate WEBHOOK_ID"],
  [["webhook", "delete"], "inlet webhook delete WEBHOOK_ID"],
  [["webhooks"], "inlet webhook <command>"],
  [["automation"], "inlet automation <command>"],
  [["automation", "ls"], "inlet automation ls"],
  [["automation", "inspect"], "inlet automation inspect AUTOMATION_ID"],
  [["automation", "create"], "inlet automation create --from-file FILE"],
  [["automation", "update"], "inlet automation update AUTOMATION_ID --from-file FILE"],
  [["automation", "pause"], "inlet automation pause AUTOMATION_ID"],
  [["automation", "resume"], "inlet automation resume AUTOMATION_ID"],
  [["automation", "delete"], "inlet automation delete AUTOMATION_ID"],
  [["automations"], "inlet automation <command>"],
  [["events"], "inlet events <command>"],
  [["events", "ls"], "inlet events ls"],
  [["events", "tail"], "inlet events tail"],
  [["template"], "inlet template <command>"],
  [["template", "render"], "inlet template render"],
  [["service-account"], "inlet service-account <command>"],
  [["admin"], "inlet admin <command>"],
  [["admin", "create"], "inlet admin create"],
  [["backup"], "inlet backup FILE"],
  [["restore"], "inlet restore FILE"],
] as const;

describe("--help", () => {
  test.each(HELP)("inlet %j --help prints its usage, exit 0", async (args, usage) => {
    for (const flag of ["--help", "-h"]) {
      const r = await inlet([...args, flag]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toStartWith(`Usage: ${usage}`);
    }
  });

  test("the main usage lists every command", async () => {
    const r = await inlet(["--help"]);
    for (const name of [
      "serve",
      "login",
      "logout",
      "webhook",
      "automation",
      "events",
      "template",
      "service-account",
      "admin",
      "backup",
      "restore",
      "version",
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    }
    expect(r.stdout).not.toMatch(/^ {2}webhooks /m);
    expect(r.stdout).not.toMatch(/^ {2}automations /m);
  });
});

describe("usage errors exit 2 with a usage line", () => {
  test.each([
    [["frobnicate"], 'inlet: unknown command "frobnicate"', "Usage: inlet <command> [options]", "inlet"],
    [["webhook"], "inlet: missing command", "Usage: inlet webhook <command> [options]", "inlet webhook"],
    [["webhook", "ls", "--bogus"], "inlet: Unknown option '--bogus'", "Usage: inlet webhook ls [options]", "inlet webhook ls"],
    [["webhook", "get"], "inlet: missing WEBHOOK_ID", "Usage: inlet webhook get WEBHOOK_ID [options]", "inlet webhook get"],
    [
      ["webhook", "toggle", "a", "b"],
      'inlet: unexpected argument "b"',
      "Usage: inlet webhook toggle WEBHOOK_ID [options]",
      "inlet webhook toggle",
    ],
    [["webhook", "rotate"], "inlet: missing WEBHOOK_ID", "Usage: inlet webhook rotate WEBHOOK_ID [options]", "inlet webhook rotate"],
    [["webhook", "delete"], "inlet: missing WEBHOOK_ID", "Usage: inlet webhook delete WEBHOOK_ID [options]", "inlet webhook delete"],
    [["webhook", "update"], "inlet: missing WEBHOOK_ID", "Usage: inlet webhook update WEBHOOK_ID [options]", "inlet webhook update"],
    [
      ["webhook", "create", "x", "-t"],
      "inlet: Option '-t, --template <value>' argument missing",
      "Usage: inlet webhook create WEBHOOK_NAME -t TEMPLATE [options]",
      "inlet webhook create",
    ],
    [["events", "frob"], 'inlet: unknown command "frob"', "Usage: inlet events <command> [options]", "inlet events"],
    [
      ["template", "render", "--nope"],
      "inlet: Unknown option '--nope'",
      "Usage: inlet template render -t FILE [options]",
      "inlet template render",
    ],
    [["login", "--nope"], "inlet: Unknown option '--nope'", "Usage: inlet login --url URL --api-key KEY", "inlet login"],
    [["admin", "delete"], 'inlet: unknown command "delete"', "Usage: inlet admin <command> [options]", "inlet admin"],
    [["backup", "a", "b"], 'inlet: unexpected argument "b"', "Usage: inlet backup FILE [options]", "inlet backup"],
    [["restore", "a", "--force"], "inlet: Unknown option '--force'", "Usage: inlet restore FILE [options]", "inlet restore"],
    [["service-account", "create"], "inlet: missing NAME", "Usage: inlet service-account <command> [options]", "inlet service-account"],
    [
      ["serve", "--body-timeout-ms", "soon"],
      'inlet: body-timeout-ms must be a whole number, got "soon"',
      "Usage: inlet serve [options]",
      "inlet serve",
    ],
    [
      ["serve", "--max-requests-per-address", "lots"],
      'inlet: max-requests-per-address must be a whole number, got "lots"',
      "Usage: inlet serve [options]",
      "inlet serve",
    ],
  ])("inlet %j", async (args, message, usage, command) => {
    const r = await inlet([...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`${message}\n${usage}\nRun "${command} --help" for more.\n`);
  });
});

describe("service-account (offline)", () => {
  test("create, ls, rotate-key, delete on --data-dir", async () => {
    const dir = tempDir();
    const dataDir = join(dir.path, "data");
    const created = await inlet(["service-account", "create", "ci", "--role", "webhook", "--data-dir", dataDir, "-o", "json"]);
    expect(created.code).toBe(0);
    const account = JSON.parse(created.stdout);
    expect(account).toMatchObject({ name: "ci", role: "webhook" });
    expect((await inlet(["service-account", "ls", "--data-dir", dataDir])).stdout).toContain(account.id);
    const rotated = await inlet(["service-account", "rotate-key", account.id, "--data-dir", dataDir]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).not.toContain(account.api_key);
    expect(await inlet(["service-account", "delete", account.id, "--data-dir", dataDir])).toMatchObject({
      code: 0,
      stdout: `Successfully deleted service account ${account.id}\n`,
    });
    expect(await inlet(["service-account", "delete", account.id, "--data-dir", dataDir])).toMatchObject({
      code: 1,
      stderr: `Service account with id '${account.id}' not found.\n`,
    });
    dir.remove();
  });
});

describe("real exit codes (spawned `bun src/main.ts`)", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("success → 0, with output on stdout", async () => {
    const r = await spawnInlet(["webhook", "create", "spawned", "-t", SIMPLE_TEMPLATE], srv.env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("Successfully created webhook spawned\nhttp://127.0.0.1:");
    const ls = await spawnInlet(["webhook", "ls", "-o", "json"], srv.env);
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout).some((h: { name: string }) => h.name === "spawned")).toBe(true);
  });

  test("serve on a port that is taken → 1, saying so in words; the data directory is left usable", async () => {
    const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(null) });
    const data = tempDir("inlet-serve-");
    const dir = data.path;
    try {
      const r = await spawnInlet(["serve", "--port", String(taken.port), "--data-dir", dir, "--log-level", "error"], srv.env);
      expect(r).toEqual({ code: 1, stdout: "", stderr: `inlet: cannot listen on 127.0.0.1:${taken.port}: the port is in use\n` });
      expect((await spawnInlet(["service-account", "create", "after", "--data-dir", dir], srv.env)).code).toBe(0);
    } finally {
      taken.stop(true);
      data.remove();
    }
  });

  // No resolver is asked about these: digits and dots, or a colon, can only be meant as an address.
  test.each(["999.1.1.1", "127.0.0.1.5", "1.2.3", "::1::2"])(
    "serve --host %s → 1, not a valid address; nothing is created",
    async (host) => {
      const data = tempDir("inlet-serve-");
      const dir = join(data.path, "data");
      try {
        const bad = await spawnInlet(["serve", "--host", host, "--port", "0", "--data-dir", dir, "--log-level", "error"], srv.env);
        expect(bad).toEqual({ code: 1, stdout: "", stderr: `inlet: cannot listen on ${host}:0: not a valid address\n` });
        expect(existsSync(dir)).toBe(false);
      } finally {
        data.remove();
      }
    },
  );

  test("a failed operation → 1 with one line on stderr", async () => {
    const url = await deadUrl();
    const r = await spawnInlet(["webhook", "ls"], { ...srv.env, INLET_API_URL: url });
    expect(r).toEqual({ code: 1, stdout: "", stderr: `Could not reach Inlet at ${url}: connection refused\n` });
    const notFound = await spawnInlet(["webhook", "get", "nope"], srv.env);
    expect(notFound).toEqual({ code: 1, stdout: "", stderr: "Webhook with id 'nope' not found.\n" });
  });

  test("rotate without a terminal and without --yes → 1 (stdin is not a TTY)", async () => {
    const hook = (await (await srv.api("POST", "/api/webhooks/", { name: "spawn-rotate", template: SIMPLE_TEMPLATE })).json()) as {
      id: string;
    };
    const r = await spawnInlet(["webhook", "rotate", hook.id], srv.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Refusing to rotate without confirmation in a non-interactive session; pass --yes to rotate.\n");
  });

  test("a usage error → 2", async () => {
    const r = await spawnInlet(["webhook", "ls", "--bogus"], srv.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith("inlet: Unknown option '--bogus'\n");
  });

  test("template render from a pipe: -t - reads stdin", async () => {
    const r = await spawnInlet(
      ["template", "render", "-t", "-", "--body", '{"action": "opened", "id": 7}', "-o", "json"],
      {},
      SIMPLE_TEMPLATE,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).event).toMatchObject({ event: "test.opened", resource: { "prefect.resource.id": "test.7" } });
  });
});

describe("serve --host with a name (resolver injected: no test depends on this machine's DNS)", () => {
  test("a name that does not resolve → cannot resolve host, before the data directory is touched", async () => {
    const data = tempDir("inlet-serve-");
    const dataDir = join(data.path, "data");
    const asked: string[] = [];
    const lookup = async (host: string) => {
      asked.push(host);
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    };
    try {
      const config = resolveConfig({ host: "nosuch.example", port: "0", "data-dir": dataDir, "log-level": "silent" }, {});
      await expect(startServer(config, silentLogger, lookup)).rejects.toThrow(
        new Error("cannot listen on nosuch.example:0: cannot resolve host nosuch.example"),
      );
      expect(asked).toEqual(["nosuch.example"]);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      data.remove();
    }
  });
});
