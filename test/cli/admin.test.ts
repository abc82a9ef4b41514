import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SessionStore } from "../../src/auth/sessions.ts";
import { UserStore } from "../../src/auth/users.ts";
import { databasePath } from "../../src/config.ts";
import { openDatabase } from "../../src/db/open.ts";
import { inlet, tempDir } from "../support/cli.ts";

let dir: ReturnType<typeof tempDir>;
let dataDir: string;
beforeEach(() => {
  dir = tempDir();
  dataDir = join(dir.path, "data");
});
afterEach(() => dir.remove());

function users() {
  const db = openDatabase({ path: databasePath(dataDir) });
  try {
    return new UserStore(db).list();
  } finally {
    db.$client.close();
  }
}

describe("inlet admin create", () => {
  test("creates an admin user offline on --data-dir", async () => {
    const r = await inlet(["admin", "create", "--email", "Ada@Example.com", "--password", "correct horse", "--data-dir", dataDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Created admin user ada@example\.com \([0-9a-f-]{36}\)\.\n$/);
    expect(users()).toMatchObject([{ email: "ada@example.com", role: "admin" }]);
  });

  test("--role viewer, INLET_DATA_DIR, -o json", async () => {
    const r = await inlet(["admin", "create", "--email", "v@example.com", "--password", "12345678", "--role", "viewer", "-o", "json"], {
      env: { INLET_DATA_DIR: dataDir },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ email: "v@example.com", role: "viewer" });
    expect(JSON.parse(r.stdout)).not.toHaveProperty("password_hash");
  });

  test("--password-stdin reads the password from standard input", async () => {
    const r = await inlet(["admin", "create", "--email", "s@example.com", "--password-stdin", "--data-dir", dataDir], {
      stdin: "from stdin 123\n",
    });
    expect(r.code).toBe(0);
  });

  test.each([
    [["--email", "x@example.com", "--password", "short"], "password: must be at least 8 characters"],
    [["--email", "not-an-email", "--password", "12345678"], "email: must be a valid email address"],
  ])("refused input %j → exit 1 with the reason", async (args, message) => {
    const r = await inlet(["admin", "create", ...args, "--data-dir", dataDir]);
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: `${message}\n` });
  });

  test("a second user with the same email → exit 1", async () => {
    await inlet(["admin", "create", "--email", "a@example.com", "--password", "12345678", "--data-dir", dataDir]);
    const r = await inlet(["admin", "create", "--email", "A@example.com", "--password", "12345678", "--data-dir", dataDir]);
    expect(r).toMatchObject({ code: 1, stderr: "A user with that email already exists\n" });
  });

  test.each([
    [["--password", "12345678"], "missing --email"],
    [["--email", "a@example.com"], "missing --password"],
    [["--email", "a@example.com", "--password", "12345678", "--role", "owner"], `--role must be one of admin, viewer, got "owner"`],
    [["--email", "a@example.com", "--password", "x", "--password-stdin"], "give --password or --password-stdin, not both"],
  ])("usage errors %j → exit 2", async (args, message) => {
    const r = await inlet(["admin", "create", ...args, "--data-dir", dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith(`inlet: ${message}\nUsage: inlet admin create --email E --password P [options]\n`);
  });
});

describe("inlet admin set-password", () => {
  function store<T>(fn: (users: UserStore, sessions: SessionStore) => T | Promise<T>): Promise<T> {
    const db = openDatabase({ path: databasePath(dataDir) });
    return Promise.resolve(fn(new UserStore(db), new SessionStore(db))).finally(() => db.$client.close());
  }

  test("a locked-out admin gets a new password from standard input, and their sessions end", async () => {
    await inlet(["admin", "create", "--email", "ada@example.com", "--password", "forgotten 1", "--data-dir", dataDir]);
    const token = await store((users, sessions) => sessions.create(users.getByEmail("ada@example.com")!.id)!.token);

    const r = await inlet(["admin", "set-password", "--email", "Ada@Example.com", "--password-stdin", "--data-dir", dataDir], {
      stdin: "remembered 2\n",
    });
    expect(r).toMatchObject({ code: 0, stderr: "", stdout: "Set a new password for ada@example.com; their sessions have ended.\n" });
    expect(r.stdout).not.toContain("remembered");
    await store(async (users, sessions) => {
      expect(await users.verify("ada@example.com", "remembered 2")).toMatchObject({ email: "ada@example.com" });
      expect(await users.verify("ada@example.com", "forgotten 1")).toBeNull();
      expect(sessions.authenticate(token)).toBeNull();
    });
  });

  test.each([
    [["--email", "nobody@example.com", "--password", "12345678"], "No user with the email nobody@example.com"],
    [["--email", "ada@example.com", "--password", "short"], "password: must be at least 8 characters"],
  ])("refused %j → exit 1 with the reason, the old password still works", async (args, message) => {
    await inlet(["admin", "create", "--email", "ada@example.com", "--password", "the old one", "--data-dir", dataDir]);
    const r = await inlet(["admin", "set-password", ...args, "--data-dir", dataDir]);
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: `${message}\n` });
    await store(async (users) => expect(await users.verify("ada@example.com", "the old one")).not.toBeNull());
  });

  test("without --email → usage error, exit 2", async () => {
    const r = await inlet(["admin", "set-password", "--password", "12345678", "--data-dir", dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing --email");
  });
});

describe("inlet service-account create", () => {
  test("a name already taken (ignoring case) → exit 1 with the reason, no second account", async () => {
    const first = await inlet(["service-account", "create", "deploy", "--data-dir", dataDir]);
    expect(first.code).toBe(0);
    const again = await inlet(["service-account", "create", "Deploy", "--role", "webhook", "--data-dir", dataDir]);
    expect(again).toMatchObject({ code: 1, stdout: "", stderr: 'A service account named "Deploy" already exists\n' });
    const list = await inlet(["service-account", "ls", "-o", "json", "--data-dir", dataDir]);
    expect(JSON.parse(list.stdout).map((a: { name: string }) => a.name)).toEqual(["deploy"]);
  });
});
