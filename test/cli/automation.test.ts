// `inlet automation …` against a served Inlet: Prefect's verbs, JSON and YAML files, messages and
// exit statuses.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inlet, spawnInlet, startTestServer, tempDir, type TestServer } from "../support/cli.ts";
import { automationBody, prefectCloudExport, type Body } from "../support/automations.ts";

let srv: TestServer;
let dir: ReturnType<typeof tempDir>;
beforeAll(async () => {
  srv = await startTestServer();
  dir = tempDir();
});
afterAll(async () => {
  await srv.stop();
  dir.remove();
});

const auto = (args: string[], opts: Parameters<typeof inlet>[1] = {}) => inlet(["automation", ...args], { env: srv.env, ...opts });

function file(name: string, text: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

async function create(body: Body = automationBody()) {
  const res = await srv.api("POST", "/api/automations/", body);
  expect(res.status).toBe(201);
  return (await res.json()) as Body & { id: string; name: string };
}

const stored = async (id: string) => (await (await srv.api("GET", `/api/automations/${id}`)).json()) as Body & { enabled: boolean };

describe("inlet automation create", () => {
  test("--from-file with Prefect Cloud's JSON export creates it and prints its id", async () => {
    const r = await auto(["create", "--from-file", file("export.json", JSON.stringify(prefectCloudExport()))]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const id = /^Created automation 'nightly backup did not report in' with id ([0-9a-f-]{36})\n$/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(await stored(id!)).toMatchObject({ name: "nightly backup did not report in", enabled: true });
  });

  test("a YAML file with an automations list creates each", async () => {
    const yaml = `automations:
  - name: yaml one
    trigger:
      expect: [github.push]
      match: {prefect.resource.id: "github.repo.*"}
    actions: [{type: do-nothing}]
  - name: yaml two
    trigger:
      posture: Proactive
      expect: [cron.ok]
      within: PT1H
    actions: []
`;
    const r = await auto(["create", "-f", file("two.yaml", yaml)]);
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.replace(/[0-9a-f-]{36}$/, "ID")),
    ).toEqual(["Created automation 'yaml one' with id ID", "Created automation 'yaml two' with id ID"]);
  });

  test("a refusal is one line naming the field, exit 1", async () => {
    const body = automationBody({ actions: [{ type: "run-deployment", source: "selected" }] });
    const r = await auto(["create", "-f", file("bad.json", JSON.stringify(body))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toStartWith('actions[0].type: Inlet does not run "run-deployment" actions');
  });

  test("without --from-file: usage error, exit 2", async () => {
    const r = await auto(["create"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing --from-file FILE");
  });
});

describe("inlet automation ls and inspect", () => {
  test("ls prints a table with the trigger and actions; -o json the API's list", async () => {
    const a = await create(automationBody({ name: "listed", trigger: { expect: ["github.push"], threshold: 3, within: 60 } }));
    const r = await auto(["ls"]);
    expect(r.code).toBe(0);
    const [header, ...lines] = r.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^automation id\s+name\s+enabled\?\s+trigger\s+actions$/);
    expect(lines.find((l) => l.startsWith(a.id))).toMatch(/listed\s+True\s+Reactive: 3 × github\.push within 60 s\s+do-nothing$/);
    const asJson = await auto(["ls", "-o", "json"]);
    expect((JSON.parse(asJson.stdout) as { id: string }[]).map((x) => x.id)).toContain(a.id);
  });

  test("ls lists every automation, past the API's page of 200", async () => {
    const before = (await (await srv.api("POST", "/api/automations/count")).json()) as number;
    for (let i = 0; i < 201 - before; i++) await create(automationBody({ name: `many ${String(i).padStart(3, "0")}` }));
    const r = await auto(["ls", "-o", "json"]);
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as { id: string }[];
    expect(listed.length).toBe(Math.max(201, before));
    expect(new Set(listed.map((a) => a.id)).size).toBe(listed.length);
    // 201 creates, each committed with its lifecycle event before it answers.
  }, 60_000);

  test("inspect prints YAML by default, JSON with -o json; unknown id: Prefect's message, exit 1", async () => {
    const a = await create(automationBody({ name: "inspected" }));
    const yaml = await auto(["inspect", a.id]);
    expect(yaml.code).toBe(0);
    expect(Bun.YAML.parse(yaml.stdout)).toEqual(await stored(a.id));
    const asJson = await auto(["inspect", a.id, "-o", "json"]);
    expect(JSON.parse(asJson.stdout)).toEqual(await stored(a.id));
    const bad = await auto(["inspect", a.id, "-o", "xml"]);
    expect(bad.code).toBe(2);
    const missing = await auto(["inspect", "00000000-0000-4000-8000-000000000000"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("Automation with id '00000000-0000-4000-8000-000000000000' not found.\n");
  });
});

describe("inlet automation update, pause, resume, delete", () => {
  test("update replaces from a file and keeps what the file omits", async () => {
    const a = await create(automationBody({ name: "before", description: "kept" }));
    const body = automationBody({ name: "after" });
    delete body.description;
    const r = await auto(["update", a.id, "-f", file("update.json", JSON.stringify(body))]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`Updated automation with id '${a.id}'.\n`);
    expect(await stored(a.id)).toMatchObject({ name: "after", description: "kept" });
  });

  test("pause and resume", async () => {
    const a = await create();
    expect((await auto(["pause", a.id])).stdout).toBe(`Paused automation with id '${a.id}'.\n`);
    expect((await stored(a.id)).enabled).toBe(false);
    expect((await auto(["resume", a.id])).stdout).toBe(`Resumed automation with id '${a.id}'.\n`);
    expect((await stored(a.id)).enabled).toBe(true);
  });

  test("delete asks first; --yes deletes; not in a terminal without --yes it refuses", async () => {
    const a = await create();
    const refused = await auto(["delete", a.id]);
    expect(refused.code).toBe(1);
    expect((await srv.api("GET", `/api/automations/${a.id}`)).status).toBe(200);
    const declined = await auto(["delete", a.id], { tty: true, answers: ["n"] });
    expect(declined.prompts).toEqual([`Are you sure you want to delete automation with id '${a.id}'? [y/N]: `]);
    expect(declined.stderr).toBe("Deletion aborted.\n");
    const r = await auto(["delete", a.id, "--yes"]);
    expect(r.stdout).toBe(`Deleted automation with id '${a.id}'.\n`);
    expect((await srv.api("GET", `/api/automations/${a.id}`)).status).toBe(404);
  });

  test("as a separate process, with the `automations` alias: real exit statuses", async () => {
    const a = await create(automationBody({ name: "spawned" }));
    const env = { INLET_API_URL: srv.url, INLET_API_KEY: srv.adminKey };
    const ok = await spawnInlet(["automations", "inspect", a.id, "-o", "json"], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).name).toBe("spawned");
    const missing = await spawnInlet(["automation", "pause", "00000000-0000-4000-8000-000000000000"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("Automation with id '00000000-0000-4000-8000-000000000000' not found.\n");
  });
});
