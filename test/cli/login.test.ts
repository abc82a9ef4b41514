import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveConnection } from "../../src/cli/client.ts";
import { deadUrl, inlet, startTestServer, tempDir, type TestServer } from "../support/cli.ts";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.stop();
});

/** A fresh config directory and nothing else in the environment. */
function isolated() {
  const dir = tempDir();
  return { env: { XDG_CONFIG_HOME: dir.path, HOME: dir.path }, file: join(dir.path, "inlet", "config.json"), remove: dir.remove };
}

describe("inlet login", () => {
  test("verifies the key, writes the config file with mode 0600, and later commands use it", async () => {
    const home = isolated();
    const r = await inlet(["login", "--url", `${srv.url}/`, "--api-key", srv.adminKey], { env: home.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Authenticated with Inlet at ${srv.url}.\nSaved to ${home.file}\n`);
    expect(JSON.parse(readFileSync(home.file, "utf8"))).toEqual({ url: srv.url, api_key: srv.adminKey });
    expect(statSync(home.file).mode & 0o777).toBe(0o600);
    const ls = await inlet(["webhook", "ls"], { env: home.env });
    expect(ls.code).toBe(0);
    home.remove();
  });

  test("a wrong key is refused and nothing is written", async () => {
    const home = isolated();
    const r = await inlet(["login", "--url", srv.url, "--api-key", "inlet_wrongwrongwrongwrongwrongwrongwrongwrongwro"], { env: home.env });
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: `Invalid API key: Inlet at ${srv.url} rejected it\n` });
    expect(() => statSync(home.file)).toThrow();
    home.remove();
  });

  test("a webhook-only key is refused: the CLI needs an admin key", async () => {
    const home = isolated();
    const key = srv.server.ctx.serviceAccounts.create("sender-login", "webhook").api_key;
    const r = await inlet(["login", "--url", srv.url, "--api-key", key], { env: home.env });
    expect(r).toMatchObject({ code: 1, stderr: "This API key may only send webhooks; the CLI needs an admin key\n" });
    home.remove();
  });

  test("an unreachable server is named", async () => {
    const home = isolated();
    const url = await deadUrl();
    const r = await inlet(["login", "--url", url, "--api-key", srv.adminKey], { env: home.env });
    expect(r).toMatchObject({ code: 1, stderr: `Could not reach Inlet at ${url}: connection refused\n` });
    home.remove();
  });

  test("a server that is not Inlet is named as such", async () => {
    const other = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("<html>hello</html>", { status: 200 }) });
    const home = isolated();
    const url = `http://127.0.0.1:${other.port}`;
    const r = await inlet(["login", "--url", url, "--api-key", srv.adminKey], { env: home.env });
    await other.stop(true);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is this an Inlet server?");
    home.remove();
  });

  test("missing --api-key outside a terminal → usage error, exit 2", async () => {
    const home = isolated();
    const r = await inlet(["login", "--url", srv.url], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('inlet: missing --api-key\nUsage: inlet login --url URL --api-key KEY\nRun "inlet login --help" for more.\n');
    home.remove();
  });

  test("in a terminal, asks for what is missing", async () => {
    const home = isolated();
    const r = await inlet(["login"], { env: home.env, tty: true, answers: [srv.url, srv.adminKey] });
    expect(r.prompts).toEqual(["Inlet URL: ", "API key: "]);
    expect(r.code).toBe(0);
    home.remove();
  });

  test("logout removes the file", async () => {
    const home = isolated();
    await inlet(["login", "--url", srv.url, "--api-key", srv.adminKey], { env: home.env });
    expect(await inlet(["logout"], { env: home.env })).toMatchObject({ code: 0, stdout: `Logged out (removed ${home.file}).\n` });
    expect(await inlet(["logout"], { env: home.env })).toMatchObject({ code: 0, stdout: "Not logged in.\n" });
    expect(await inlet(["webhook", "ls"], { env: { ...home.env, INLET_API_URL: srv.url } })).toMatchObject({
      code: 1,
      stderr: "Not authenticated: run `inlet login --url URL --api-key KEY`\n",
    });
    home.remove();
  });
});

describe("where the CLI connects", () => {
  const file = (dir: string, content: object | string) => {
    mkdirSync(join(dir, "inlet"), { recursive: true });
    writeFileSync(join(dir, "inlet", "config.json"), typeof content === "string" ? content : JSON.stringify(content));
  };

  test("flags > environment > config file > default", () => {
    const dir = tempDir();
    file(dir.path, { url: "http://stored:1", api_key: "stored-key" });
    const env = { XDG_CONFIG_HOME: dir.path };
    expect(resolveConnection({}, env)).toEqual({ url: "http://stored:1", apiKey: "stored-key" });
    expect(resolveConnection({}, { ...env, INLET_API_KEY: "env-key" })).toEqual({ url: "http://stored:1", apiKey: "env-key" });
    expect(resolveConnection({ "api-key": "flag-key" }, { ...env, INLET_API_KEY: "env-key" })).toEqual({
      url: "http://stored:1",
      apiKey: "flag-key",
    });
    expect(resolveConnection({ url: "http://flag:3/" }, { ...env, INLET_API_URL: "http://env:2" }).url).toBe("http://flag:3");
    expect(resolveConnection({}, { XDG_CONFIG_HOME: join(dir.path, "none") })).toEqual({ url: "http://127.0.0.1:4280", apiKey: null });
    dir.remove();
  });

  test("the stored key is never sent to a different server", () => {
    const dir = tempDir();
    file(dir.path, { url: "http://stored:1", api_key: "stored-key" });
    expect(resolveConnection({ url: "http://elsewhere:1" }, { XDG_CONFIG_HOME: dir.path }).apiKey).toBeNull();
    expect(resolveConnection({}, { XDG_CONFIG_HOME: dir.path, INLET_API_URL: "http://elsewhere:1" }).apiKey).toBeNull();
    dir.remove();
  });

  test("a damaged config file is one clear line", async () => {
    const dir = tempDir();
    file(dir.path, "{not json");
    const r = await inlet(["webhook", "ls"], { env: { XDG_CONFIG_HOME: dir.path } });
    expect(r).toMatchObject({
      code: 1,
      stderr: `The config file ${join(dir.path, "inlet", "config.json")} is not valid; run \`inlet login\` again\n`,
    });
    dir.remove();
  });
});
