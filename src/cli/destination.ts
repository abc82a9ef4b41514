// `inlet destination …`: where automations' actions are sent, over the REST API. Secrets given on
// the command line end up in the shell's history: `--from-file FILE` (or `-` for stdin) keeps them
// out of it. A destination's URL is `--target-url`, as `--url` names the Inlet server.
import type { DestinationView } from "../actions/destinations/model.ts";
import { CLIENT_HELP, dispatch, jsonOutput, list, str, type Options, type Values } from "./args.ts";
import { aboutOne, apiCommand } from "./api-command.ts";
import { CliError, confirm, readInputFile, UsageError, type CliIO } from "./io.ts";
import { json, table } from "./output.ts";

export const DESTINATION_USAGE = `Usage: inlet destination <command> [options]

Manage destinations: where automations send notifications and webhooks.

Commands:
  ls                                   list destinations
  create NAME --type TYPE [settings]   create a destination (or --from-file FILE)
  test DESTINATION_ID                  send a test message now
  delete DESTINATION_ID                delete a destination

Run "inlet destination <command> --help" for a command's options.
`;

const help = (synopsis: string, about: string, options: string[]) =>
  `Usage: inlet destination ${synopsis}\n\n${about}\n\nOptions:\n${[...options, CLIENT_HELP, "  -h, --help           show this help"].join("\n")}\n`;

const OUTPUT = `  -o, --output json    print JSON instead of a table`;

const LS_HELP = help("ls [options]", "Lists the destinations: id, name, type, whether enabled, and which secrets are set.", [OUTPUT]);
const CREATE_HELP = help(
  "create NAME --type TYPE [settings] | create [NAME] --from-file FILE",
  "Creates a destination. A webhook destination's signing secret is printed once: keep it.",
  [
    "  --type TYPE          webhook, slack, discord, teams, ntfy, gotify or email",
    "  --from-file FILE     the destination as JSON ({type, name, config}); - reads stdin",
    "  --target-url URL     webhook: the URL; slack, discord, teams: the incoming-webhook URL (a secret)",
    "  --method M           webhook: POST (default), PUT, PATCH, GET or DELETE",
    "  --header 'K: V'      webhook: a header to send (repeatable; the values are secrets)",
    "  --body-template T    webhook: the body, a template (@FILE reads a file)",
    "  --server URL         ntfy, gotify: the server",
    "  --topic T            ntfy: the topic",
    "  --token T            ntfy (optional), gotify: the access or app token (a secret)",
    "  --priority N         ntfy: 1-5; gotify: 0-10",
    "  --tag T              ntfy: a tag (repeatable)",
    "  --host H, --port N   email: the SMTP server",
    "  --security S         email: starttls (default), tls or none",
    "  --user U             email: the SMTP user",
    "  --password P         email: the SMTP password (a secret)",
    "  --from A, --to A     email: the sender; a recipient (repeatable)",
    OUTPUT,
  ],
);
const TEST_HELP = help("test DESTINATION_ID [options]", "Sends a test message to the destination now and says how it went.", []);
const DELETE_HELP = help("delete DESTINATION_ID [options]", "Deletes a destination.", [
  "  -y, --yes            do not ask for confirmation (required when not in a terminal)",
]);

const path = (id: string) => `/api/destinations/${encodeURIComponent(id)}`;

/** A call about one destination; a 404 becomes Prefect's message. */
const about = <T>(id: string, call: () => Promise<T>) => aboutOne("Destination", id, call);

function headersArg(values: string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  return Object.fromEntries(
    values.map((h) => {
      const at = h.indexOf(":");
      if (at <= 0) throw new UsageError(`--header must be "Name: value", got "${h}"`, CREATE_HELP);
      return [h.slice(0, at).trim(), h.slice(at + 1).trim()];
    }),
  );
}

function numberArg(v: Values, name: string): number | undefined {
  const raw = str(v, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`, CREATE_HELP);
  return Number(raw);
}

/** The settings given as flags, as the API's `config` (absent flags left out). */
async function configFromFlags(io: CliIO, v: Values): Promise<Record<string, unknown>> {
  const bodyTemplate = str(v, "body-template");
  const config: Record<string, unknown> = {
    url: str(v, "target-url"),
    method: str(v, "method")?.toUpperCase(),
    headers: headersArg(list(v, "header")),
    body_template: bodyTemplate?.startsWith("@") ? await readInputFile(io, bodyTemplate.slice(1), "the body template") : bodyTemplate,
    server: str(v, "server"),
    topic: str(v, "topic"),
    token: str(v, "token"),
    priority: numberArg(v, "priority"),
    tags: list(v, "tag").length ? list(v, "tag") : undefined,
    host: str(v, "host"),
    port: numberArg(v, "port"),
    security: str(v, "security"),
    user: str(v, "user"),
    password: str(v, "password"),
    from: str(v, "from"),
    to: list(v, "to").length ? list(v, "to") : undefined,
  };
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
}

const CREATE_OPTIONS = {
  type: { type: "string" },
  "from-file": { type: "string" },
  "target-url": { type: "string" },
  method: { type: "string" },
  header: { type: "string", multiple: true },
  "body-template": { type: "string" },
  server: { type: "string" },
  topic: { type: "string" },
  token: { type: "string" },
  priority: { type: "string" },
  tag: { type: "string", multiple: true },
  host: { type: "string" },
  port: { type: "string" },
  security: { type: "string" },
  user: { type: "string" },
  password: { type: "string" },
  from: { type: "string" },
  to: { type: "string", multiple: true },
  output: { type: "string", short: "o" },
} as const satisfies Options;

export const DESTINATION_COMMANDS = {
  ls: apiCommand(LS_HELP, { output: { type: "string", short: "o" } }, [], async (_args, v, client, io) => {
    const asJson = jsonOutput(str(v, "output"), LS_HELP);
    const all = await client.request<DestinationView[]>("GET", "/api/destinations/");
    if (asJson) io.stdout(json(all));
    else if (all.length === 0) io.stdout("No destinations.\n");
    else
      io.stdout(
        table(
          ["destination id", "name", "type", "enabled?", "secrets set"],
          all.map((d) => [
            d.id,
            d.name,
            d.type,
            d.enabled ? "True" : `False${d.disabled_reason ? ` (${d.disabled_reason})` : ""}`,
            d.secrets_set.join(", "),
          ]),
        ),
      );
    return 0;
  }),

  create: apiCommand(
    CREATE_HELP,
    CREATE_OPTIONS,
    ["NAME"],
    async ([name], v, client, io) => {
      const asJson = jsonOutput(str(v, "output"), CREATE_HELP);
      let body: Record<string, unknown>;
      const file = str(v, "from-file");
      if (file !== undefined) {
        const text = await readInputFile(io, file, "the destination");
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          throw new CliError(`${file === "-" ? "stdin" : file} is not JSON`);
        }
        if (typeof body !== "object" || body === null || Array.isArray(body)) throw new CliError("the file must hold a JSON object");
        if (name) body.name = name;
      } else {
        if (!name) throw new UsageError("missing NAME", CREATE_HELP);
        const type = str(v, "type");
        if (!type) throw new UsageError("missing --type (or --from-file)", CREATE_HELP);
        body = { name, type, config: await configFromFlags(io, v) };
      }
      const created = await client.request<DestinationView & { signing_secret?: string }>("POST", "/api/destinations/", body);
      if (asJson) io.stdout(json(created));
      else {
        io.stdout(`Created destination ${created.name} (${created.id})\n`);
        if (created.signing_secret) io.stdout(`Signing secret (shown once, keep it to verify signatures): ${created.signing_secret}\n`);
      }
      return 0;
    },
    1,
  ),

  test: apiCommand(TEST_HELP, {}, ["DESTINATION_ID"], async ([id], _v, client, io) => {
    const result = await about(id!, () =>
      client.request<{ ok: boolean; status_code: number | null; duration_ms: number; error: string | null; response: string | null }>(
        "POST",
        `${path(id!)}/test`,
      ),
    );
    const answer = result.status_code === null ? "" : `HTTP ${result.status_code}, `;
    if (result.ok) {
      io.stdout(`Test delivered (${answer}${result.duration_ms} ms)\n`);
      return 0;
    }
    io.stderr(`Test failed (${answer}${result.duration_ms} ms): ${result.error ?? "unknown error"}\n`);
    return 1;
  }),

  delete: apiCommand(DELETE_HELP, { yes: { type: "boolean", short: "y" } }, ["DESTINATION_ID"], async ([id], v, client, io) => {
    const ok = await confirm(io, `Are you sure you want to delete destination with id '${id}'?`, v.yes === true);
    if (ok === null) throw new CliError("Refusing to delete without confirmation in a non-interactive session; pass --yes to delete.");
    if (!ok) throw new CliError("Deletion aborted.");
    await about(id!, () => client.request("DELETE", path(id!)));
    io.stdout(`Deleted destination ${id}\n`);
    return 0;
  }),
};

export async function destinationCommand(argv: string[], io: CliIO): Promise<number> {
  return await dispatch(argv, io, DESTINATION_USAGE, DESTINATION_COMMANDS);
}
