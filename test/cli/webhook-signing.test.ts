// `inlet webhook create|update --verify SCHEME --secret-file FILE [--dedup-key EXPR]` and
// `inlet webhook replay`, against a real server on a loopback port.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sign } from "@octokit/webhooks-methods";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inlet, startTestServer, tempDir, type TestServer } from "../support/cli.ts";

let srv: TestServer;
const dir = tempDir();
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.stop();
  dir.remove();
});

const wh = (args: string[], opts: Parameters<typeof inlet>[1] = {}) => inlet(["webhook", ...args], { env: srv.env, ...opts });
const TEMPLATE = '{"event": "e.{{ body.kind }}", "resource": {"prefect.resource.id": "{{ body.kind }}"}}';
const get = async (id: string) => (await (await srv.api("GET", `/api/webhooks/${id}`)).json()) as Record<string, any>;

function secretFile(name: string, text: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

describe("inlet webhook create/update --verify", () => {
  test("create --verify github --secret-file: the secret is used, never printed", async () => {
    const file = secretFile("github", "cli-secret-one\r\ncli-secret-two\n");
    const r = await wh([
      "create",
      "signed",
      "-t",
      TEMPLATE,
      "--verify",
      "github",
      "--secret-file",
      file,
      "--dedup-key",
      "{{ headers['x-github-delivery'] }}",
      "-o",
      "json",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("cli-secret");
    const hook = JSON.parse(r.stdout);
    expect(hook.verification).toEqual({ scheme: "github", secret_count: 2 });
    expect(hook.dedup_key).toBe("{{ headers['x-github-delivery'] }}");
    const body = '{"kind":"push"}';
    const send = async (secret: string) =>
      (
        await fetch(hook.url, {
          method: "POST",
          body,
          headers: { "content-type": "application/json", "x-hub-signature-256": await sign(secret, body) },
        })
      ).status;
    expect(await send("cli-secret-two")).toBe(204);
    expect(await send("wrong")).toBe(401);
  });

  test("update --verify hmac with a header, then --verify none removes it", async () => {
    const created = await wh(["create", "to-update", "-t", TEMPLATE, "-o", "json"]);
    const id = JSON.parse(created.stdout).id;
    const file = secretFile("hmac", "h-secret\n");
    expect((await wh(["update", id, "--verify", "hmac", "--secret-file", file, "--signature-header", "X-Signature"])).code).toBe(0);
    expect((await get(id)).verification).toEqual({
      scheme: "hmac",
      header: "x-signature",
      algorithm: "sha256",
      encoding: "hex",
      secret_count: 1,
    });
    expect((await wh(["update", id, "--verify", "none"])).code).toBe(0);
    expect((await get(id)).verification).toBeNull();
  });

  test("--verify without --secret-file, and a server refusal, fail with one line", async () => {
    const r = await wh(["create", "x", "-t", TEMPLATE, "--verify", "github"]);
    expect(r).toMatchObject({ code: 1, stderr: "--verify needs --secret-file (secrets are never given on the command line)\n" });
    const bad = await wh(["create", "x", "-t", TEMPLATE, "--verify", "bitbucket", "--secret-file", secretFile("b", "s")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("verification.scheme");
  });
});

describe("inlet webhook replay", () => {
  test("--dry-run previews, a real run stores, a second run skips", async () => {
    const created = JSON.parse(
      (await wh(["create", "replayed", "-t", '{"event": "{{ body.nope }}", "resource": {"prefect.resource.id": "r"}}', "-o", "json"]))
        .stdout,
    );
    expect(
      (await fetch(created.url, { method: "POST", body: '{"kind":"k"}', headers: { "content-type": "application/json" } })).status,
    ).toBe(400);
    await srv.api("PATCH", `/api/webhooks/${created.id}`, { template: TEMPLATE });

    const dry = await wh(["replay", created.id, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Would store 1, failed 0, skipped 0. (dry run: nothing stored)");
    const real = await wh(["replay", created.id, "-o", "json"]);
    const answer = JSON.parse(real.stdout);
    expect(answer.results).toEqual([{ failure_event_id: expect.any(String), status: "stored", event_id: expect.any(String) }]);
    const again = await wh(["replay", created.id, "--event", answer.results[0].failure_event_id]);
    expect(again.stdout).toContain("Stored 0, failed 0, skipped 1.");
    expect(again.stdout).toContain("already replayed");
  });

  test("an unknown webhook → Prefect-style not-found line", async () => {
    const r = await wh(["replay", "00000000-0000-4000-8000-000000000000"]);
    expect(r).toMatchObject({ code: 1, stderr: "Webhook with id '00000000-0000-4000-8000-000000000000' not found.\n" });
  });
});
