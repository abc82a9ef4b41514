import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { MISSING_TEMPLATE_MESSAGE } from "../../src/cli/webhook.ts";
import { deadUrl, inlet, SIMPLE_TEMPLATE, startTestServer, tempDir, type TestServer } from "../support/cli.ts";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.stop();
});

const wh = (args: string[], opts: Parameters<typeof inlet>[1] = {}) => inlet(["webhook", ...args], { env: srv.env, ...opts });

async function createHook(name: string, template = SIMPLE_TEMPLATE) {
  const res = await srv.api("POST", "/api/webhooks/", { name, template });
  expect(res.status).toBe(201);
  return (await res.json()) as {
    id: string;
    slug: string;
    url: string;
    enabled: boolean;
    name: string;
    template: string;
    description: string;
  };
}

describe("inlet webhook create", () => {
  test("creates the webhook, prints Prefect's message and the hook URL", async () => {
    const r = await wh(["create", "github-push", "-t", SIMPLE_TEMPLATE, "-d", "pushes from GitHub"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [first, url] = r.stdout.trimEnd().split("\n");
    expect(first).toBe("Successfully created webhook github-push");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/[A-Za-z0-9_-]{22}$/);
    const list = (await (await srv.api("POST", "/api/webhooks/filter")).json()) as {
      name: string;
      url: string;
      description: string;
      template: string;
    }[];
    const hook = list.find((h) => h.name === "github-push")!;
    expect(hook).toMatchObject({ url, description: "pushes from GitHub", template: SIMPLE_TEMPLATE });
  });

  test("-t @file reads the template from a file", async () => {
    const dir = tempDir();
    const file = join(dir.path, "t.j2");
    writeFileSync(file, `${SIMPLE_TEMPLATE}\n`);
    const r = await wh(["create", "from-file", "-t", `@${file}`, "-o", "json"]);
    dir.remove();
    expect(r.code).toBe(0);
    const hook = JSON.parse(r.stdout);
    expect(hook).toMatchObject({ name: "from-file", template: `${SIMPLE_TEMPLATE}\n`, enabled: true });
    expect(hook.url).toEndWith(`/hooks/${hook.slug}`);
  });

  test("-t @- reads the template from standard input", async () => {
    const r = await wh(["create", "from-stdin", "-t", "@-", "-o", "json"], { stdin: SIMPLE_TEMPLATE });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).template).toBe(SIMPLE_TEMPLATE);
  });

  test("-t FILE without @ is refused with a hint, exit 2, nothing created (the path is never stored as the template)", async () => {
    const dir = tempDir();
    const file = join(dir.path, "github.j2");
    writeFileSync(file, SIMPLE_TEMPLATE);
    const named = await wh(["create", "path-not-template", "-t", file]);
    const typo = await wh(["create", "path-not-template", "-t", join(dir.path, "githb.j2")]);
    dir.remove();
    expect(named.code).toBe(2);
    expect(named.stderr).toStartWith(`inlet: -t "${file}" names a file; to read the template from it, use -t @${file}\n`);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("is not a template (a template makes a JSON object: {…}); to read one from a file, use -t @FILE");
    const list = (await (await srv.api("POST", "/api/webhooks/filter")).json()) as { name: string }[];
    expect(list.map((h) => h.name)).not.toContain("path-not-template");
  });

  test("-t @missing-file fails with one line", async () => {
    const r = await wh(["create", "x", "-t", "@/nonexistent/t.j2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Cannot read the template: no such file /nonexistent/t.j2\n");
  });

  test("without a template: Prefect's message, exit 1, nothing created", async () => {
    const r = await wh(["create", "no-template"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`${MISSING_TEMPLATE_MESSAGE}\n`);
    const list = (await (await srv.api("POST", "/api/webhooks/filter")).json()) as { name: string }[];
    expect(list.some((h) => h.name === "no-template")).toBe(false);
  });

  test("an invalid template: the API's message, exit 1", async () => {
    const r = await wh(["create", "broken", "-t", '{"event": "{{ body.x "}']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toContain("    at ");
  });

  test("--service-account binds the webhook to an account; an unknown account is refused", async () => {
    const account = srv.server.ctx.serviceAccounts.create("sender", "webhook");
    const ok = await wh(["create", "bound", "-t", SIMPLE_TEMPLATE, "--service-account", account.id, "-o", "json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).service_account_id).toBe(account.id);
    const bad = await wh(["create", "bound2", "-t", SIMPLE_TEMPLATE, "--service-account", "no-such-account"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("service_account_id");
  });

  test("missing NAME → usage error, exit 2", async () => {
    const r = await wh(["create", "-t", SIMPLE_TEMPLATE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'inlet: missing WEBHOOK_NAME\nUsage: inlet webhook create WEBHOOK_NAME -t TEMPLATE [options]\nRun "inlet webhook create --help" for more.\n',
    );
  });
});

describe("inlet webhook ls / get", () => {
  test("ls prints a table with id, url, name, enabled and the shortened template", async () => {
    const long = `{"event": "long.event", "resource": {"prefect.resource.id": "x"}, "payload": {"text": "${"a".repeat(200)}"}}`;
    const hook = await createHook("ls-table", long);
    const r = await wh(["ls"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^webhook id\s+url\s+name\s+enabled\?\s+template$/);
    const row = lines.find((l) => l.startsWith(hook.id))!;
    expect(row).toContain(hook.url);
    expect(row).toContain("ls-table");
    expect(row).toContain("True");
    expect(row).toContain('{"event": "long.event"');
    expect(row).toContain("…");
    expect(row).not.toContain("a".repeat(100));
  });

  test("ls -o json prints the webhook objects", async () => {
    const hook = await createHook("ls-json");
    const r = await wh(["ls", "-o", "json"]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string }[];
    expect(list.find((h) => h.id === hook.id)).toMatchObject({ name: "ls-json", slug: hook.slug, url: hook.url, enabled: true });
  });

  test("ls -o yaml → Prefect's message, exit 2", async () => {
    const r = await wh(["ls", "-o", "yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith("inlet: Only 'json' output format is supported.\n");
  });

  test("get prints one row; -o json the object", async () => {
    const hook = await createHook("get-me");
    const table = await wh(["get", hook.id]);
    expect(table.code).toBe(0);
    expect(table.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(table.stdout).toContain(hook.url);
    const json = await wh(["get", hook.id, "-o", "json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: hook.id, name: "get-me", template: SIMPLE_TEMPLATE });
  });

  test("get of an unknown id → Prefect's not-found message, exit 1", async () => {
    const r = await wh(["get", "00000000-0000-0000-0000-000000000001"]);
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: "Webhook with id '00000000-0000-0000-0000-000000000001' not found.\n" });
  });
});

describe("inlet webhook update / toggle", () => {
  test("update changes only what is given, and keeps enabled and the service account", async () => {
    const hook = await createHook("before");
    await srv.api("PATCH", `/api/webhooks/${hook.id}`, { enabled: false });
    const r = await wh(["update", hook.id, "-n", "after"]);
    expect(r).toMatchObject({ code: 0, stdout: `Successfully updated webhook ${hook.id}\n`, stderr: "" });
    const now = (await (await srv.api("GET", `/api/webhooks/${hook.id}`)).json()) as typeof hook;
    expect(now).toMatchObject({ name: "after", template: SIMPLE_TEMPLATE, description: "", enabled: false, slug: hook.slug });
  });

  test("update -t @file and -d", async () => {
    const hook = await createHook("update-template");
    const dir = tempDir();
    const file = join(dir.path, "t.j2");
    const next = SIMPLE_TEMPLATE.replace("test.", "changed.");
    writeFileSync(file, next);
    const r = await wh(["update", hook.id, "-t", `@${file}`, "-d", "new description"]);
    dir.remove();
    expect(r.code).toBe(0);
    const now = (await (await srv.api("GET", `/api/webhooks/${hook.id}`)).json()) as typeof hook;
    expect(now).toMatchObject({ name: "update-template", template: next, description: "new description" });
  });

  test("update of an unknown id → not found, exit 1", async () => {
    const r = await wh(["update", "nope", "-n", "x"]);
    expect(r).toMatchObject({ code: 1, stderr: "Webhook with id 'nope' not found.\n" });
  });

  test("toggle disables, then enables, with Prefect's messages", async () => {
    const hook = await createHook("toggle-me");
    const off = await wh(["toggle", hook.id]);
    expect(off).toMatchObject({ code: 0, stdout: "Webhook is now disabled\n" });
    expect(((await (await srv.api("GET", `/api/webhooks/${hook.id}`)).json()) as typeof hook).enabled).toBe(false);
    const on = await wh(["toggle", hook.id]);
    expect(on).toMatchObject({ code: 0, stdout: "Webhook is now enabled\n" });
    expect(((await (await srv.api("GET", `/api/webhooks/${hook.id}`)).json()) as typeof hook).enabled).toBe(true);
  });

  test("toggle of an unknown id → not found, exit 1", async () => {
    const r = await wh(["toggle", "nope"]);
    expect(r).toMatchObject({ code: 1, stderr: "Webhook with id 'nope' not found.\n" });
  });
});

describe("inlet webhook rotate", () => {
  test("asks first; yes rotates and prints the new slug and URL", async () => {
    const hook = await createHook("rotate-yes");
    const r = await wh(["rotate", hook.id], { tty: true, answers: ["y"] });
    expect(r.prompts).toEqual(["Are you sure you want to rotate? This will invalidate the old URL. [y/N]: "]);
    expect(r.code).toBe(0);
    const now = (await (await srv.api("GET", `/api/webhooks/${hook.id}`)).json()) as typeof hook;
    expect(now.slug).not.toBe(hook.slug);
    expect(r.stdout).toBe(`Successfully rotated webhook URL to ${now.slug}\n${now.url}\n`);
  });

  test("declining leaves the webhook alone and exits 0 (as Prefect does)", async () => {
    const hook = await createHook("rotate-no");
    const r = await wh(["rotate", hook.id], { tty: true, answers: ["n"] });
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expect(((await (await srv.api("GET", `/api/webhooks/${hook.id}`)).json()) as typeof hook).slug).toBe(hook.slug);
  });

  test("non-interactive without --yes refuses, exit 1, nothing rotated", async () => {
    const hook = await createHook("rotate-script");
    const r = await wh(["rotate", hook.id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Refusing to rotate without confirmation in a non-interactive session; pass --yes to rotate.\n");
    expect(((await (await srv.api("GET", `/api/webhooks/${hook.id}`)).json()) as typeof hook).slug).toBe(hook.slug);
  });

  test("--yes rotates without asking", async () => {
    const hook = await createHook("rotate-forced");
    const r = await wh(["rotate", hook.id, "--yes"]);
    expect(r.code).toBe(0);
    expect(r.prompts).toEqual([]);
    expect(r.stdout).toStartWith("Successfully rotated webhook URL to ");
  });

  test("unknown id → not found, exit 1", async () => {
    const r = await wh(["rotate", "nope", "-y"]);
    expect(r).toMatchObject({ code: 1, stderr: "Webhook with id 'nope' not found.\n" });
  });
});

describe("inlet webhook delete", () => {
  test("asks first; yes deletes", async () => {
    const hook = await createHook("delete-yes");
    const r = await wh(["delete", hook.id], { tty: true, answers: ["yes"] });
    expect(r.prompts).toEqual([`Are you sure you want to delete webhook with id '${hook.id}'? [y/N]: `]);
    expect(r).toMatchObject({ code: 0, stdout: `Successfully deleted webhook ${hook.id}\n` });
    expect((await srv.api("GET", `/api/webhooks/${hook.id}`)).status).toBe(404);
  });

  test("declining → 'Deletion aborted.', exit 1, still there", async () => {
    const hook = await createHook("delete-no");
    const r = await wh(["delete", hook.id], { tty: true, answers: [""] });
    expect(r).toMatchObject({ code: 1, stderr: "Deletion aborted.\n" });
    expect((await srv.api("GET", `/api/webhooks/${hook.id}`)).status).toBe(200);
  });

  test("non-interactive without --yes refuses", async () => {
    const hook = await createHook("delete-script");
    const r = await wh(["delete", hook.id]);
    expect(r).toMatchObject({
      code: 1,
      stderr: "Refusing to delete without confirmation in a non-interactive session; pass --yes to delete.\n",
    });
    expect((await srv.api("GET", `/api/webhooks/${hook.id}`)).status).toBe(200);
  });

  test("--yes deletes; an unknown id → Prefect's not-found message", async () => {
    const hook = await createHook("delete-forced");
    expect((await wh(["delete", hook.id, "--yes"])).code).toBe(0);
    const again = await wh(["delete", hook.id, "--yes"]);
    expect(again).toMatchObject({ code: 1, stderr: `Webhook with id '${hook.id}' not found.\n` });
  });
});

describe("connection failures", () => {
  test("an unreachable server is named with the URL tried", async () => {
    const url = await deadUrl();
    const r = await inlet(["webhook", "ls"], { env: { ...srv.env, INLET_API_URL: url } });
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: `Could not reach Inlet at ${url}: connection refused\n` });
  });

  test("a wrong key → 'Not authenticated', exit 1", async () => {
    const r = await wh(["ls"], { env: { ...srv.env, INLET_API_KEY: "inlet_wrongwrongwrongwrongwrongwrongwrongwrongwro" } });
    expect(r).toMatchObject({ code: 1, stderr: "Not authenticated: run `inlet login --url URL --api-key KEY`\n" });
  });

  test("no key at all → 'Not authenticated' without a request", async () => {
    const r = await wh(["ls"], { env: { INLET_API_URL: srv.url, XDG_CONFIG_HOME: srv.configHome } });
    expect(r).toMatchObject({ code: 1, stderr: "Not authenticated: run `inlet login --url URL --api-key KEY`\n" });
  });

  test("a webhook-only key → the API's 403 message", async () => {
    const sender = srv.server.ctx.serviceAccounts.create("only-sends", "webhook");
    const r = await wh(["ls", "--api-key", sender.api_key]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toContain("Not authenticated");
  });

  test("--url and --api-key flags beat the environment", async () => {
    const url = await deadUrl();
    const r = await inlet(["webhook", "ls", "--url", srv.url, "--api-key", srv.adminKey], {
      env: { INLET_API_URL: url, INLET_API_KEY: "inlet_bad", XDG_CONFIG_HOME: srv.configHome },
    });
    expect(r.code).toBe(0);
  });

  test("--url that is not an http(s) URL is a usage error", async () => {
    const r = await wh(["ls", "--url", "localhost:4280"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith('inlet: --url must be an http(s) URL, got "localhost:4280"\n');
  });
});
