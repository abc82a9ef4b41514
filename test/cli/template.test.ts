import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hostileName, NAME_SINKS, placeName } from "../fixtures/templates/hostile-names.ts";
import { inlet, spawnInlet, tempDir } from "../support/cli.ts";

let dir: ReturnType<typeof tempDir>;
const file = (name: string, content: string) => {
  const path = join(dir.path, name);
  writeFileSync(path, content);
  return path;
};
let good: string;

beforeAll(() => {
  dir = tempDir();
  good = file(
    "good.j2",
    '{"event": "github.{{ headers["x-github-event"] }}", "resource": {"prefect.resource.id": "repo.{{ body.repository.name }}", "ref": "{{ query.ref }}"}}',
  );
});
afterAll(() => dir.remove());

const render = (args: string[], opts: Parameters<typeof inlet>[1] = {}) => inlet(["template", "render", ...args], opts);

describe("inlet template render", () => {
  test("prints the rendered text and the event, offline", async () => {
    const r = await render([
      "-t",
      good,
      "--header",
      "X-GitHub-Event: push",
      "--header",
      "Content-Type: application/json",
      "--body",
      '{"repository": {"name": "inlet"}}',
      "--query",
      "ref=main",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [rendered, event] = r.stdout.split("\n\nEvent:\n");
    expect(rendered).toBe('Rendered:\n{"event": "github.push", "resource": {"prefect.resource.id": "repo.inlet", "ref": "main"}}');
    const parsed = JSON.parse(event!);
    expect(parsed).toMatchObject({
      event: "github.push",
      resource: { "prefect.resource.id": "repo.inlet", ref: "main" },
      related: [
        {
          "prefect.resource.id": "prefect-cloud.webhook.00000000-0000-0000-0000-000000000000",
          "prefect.resource.role": "webhook",
          "prefect.resource.name": "playground",
        },
      ],
      payload: { method: "POST", body: { repository: { name: "inlet" } } },
    });
  });

  test("--body-file, --method and --name; -o json gives {rendered, event, error}", async () => {
    const body = file("body.json", '{"repository": {"name": "from-file"}}');
    const r = await render(["-t", `@${good}`, "--body-file", body, "--method", "put", "--name", "github", "-o", "json"]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.error).toBeNull();
    expect(result.event.resource["prefect.resource.id"]).toBe("repo.from-file");
    expect(result.event.payload.method).toBe("PUT");
    expect(result.event.related[0]["prefect.resource.name"]).toBe("github");
  });

  test("--body-file - reads the body from standard input", async () => {
    const r = await render(["-t", good, "--body-file", "-", "-o", "json"], { stdin: '{"repository": {"name": "stdin"}}' });
    expect(JSON.parse(r.stdout).event.resource["prefect.resource.id"]).toBe("repo.stdin");
  });

  test.each([
    ["a syntax error", '{"event": "x"\n{% if %}', "template_syntax: ", "line 2"],
    ["a render error", '{"event": "x", "resource": {"prefect.resource.id": "{{ body.nope.upper() }}"}}', "template_error: ", "line 1"],
    ["output that is not JSON", '{"event": "x",\n "resource": {"prefect.resource.id": "y"}},\n}', "invalid_json: ", "line 2"],
    ["an invalid event", '{"event": "x"}', "invalid_event: ", "resource"],
  ])("%s → the error with its line on stderr, exit 1", async (_name, template, start, where) => {
    const r = await render(["-t", file("t.j2", template), "--body", "{}"]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(start);
    expect(lines[0]).toContain(where);
    expect(r.stdout).not.toContain("Event:");
  });

  test("a template file whose names would be code: a syntax error with its line, exit 1, nothing run", async () => {
    const marker = join(dir.path, "pwned");
    // One process for every place a name can stand, each template a file of its own.
    const files = NAME_SINKS.map(([, sink], i) => file(`hostile-${i}.j2`, `{"event": "x"}\n${placeName(sink, hostileName(marker))}`));
    const results = await Promise.all(files.map((f) => spawnInlet(["template", "render", "-t", f, "--body", "{}"])));
    for (const r of results) {
      expect(r.code).toBe(1);
      expect(r.stderr).toStartWith("template_syntax: line 2: ");
      expect(r.stderr).toContain("not a valid name");
    }
    expect(existsSync(marker)).toBe(false);
  });

  test("output that is not JSON is still shown, to see what went wrong", async () => {
    const r = await render(["-t", file("t2.j2", "not json {{ method }}")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("Rendered:\nnot json POST\n");
  });

  test("-o json on error: the error object, exit 1", async () => {
    const r = await render(["-t", file("t3.j2", "{{ oops"), "-o", "json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ rendered: null, event: null, error: { reason: "template_syntax" } });
  });

  test.each([
    [[], "missing -t FILE"],
    [["-t", "x", "--body", "a", "--body-file", "b"], "give --body or --body-file, not both"],
    [["-t", "x", "--header", "no-colon"], `--header must look like 'Name: value', got "no-colon"`],
    [["-t", "x", "--query", "novalue"], `--query must look like 'key=value', got "novalue"`],
    [["-t", "x", "--method", "GE T"], `--method must be an HTTP method, got "GE T"`],
    [["-t", "x", "--bogus"], "Unknown option '--bogus'"],
  ])("usage errors %j → exit 2", async (args, message) => {
    const r = await render(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith(`inlet: ${message}\nUsage: inlet template render -t FILE [options]\n`);
  });

  test("a template file that does not exist → exit 1", async () => {
    const r = await render(["-t", "/nonexistent/t.j2"]);
    expect(r).toMatchObject({ code: 1, stderr: "Cannot read the template: no such file /nonexistent/t.j2\n" });
  });
});
