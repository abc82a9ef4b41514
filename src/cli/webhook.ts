// `inlet webhook …`: Prefect's `prefect cloud webhook` verbs, flags and messages, over the REST API.
import { existsSync } from "node:fs";
import type { Webhook } from "../webhooks/store.ts";
import { CLIENT_HELP, dispatch, jsonOutput, str } from "./args.ts";
import { aboutOne, apiCommand } from "./api-command.ts";
import { ApiError } from "./client.ts";
import { CliError, confirm, readInputFile, UsageError, type CliIO } from "./io.ts";
import { json, oneLine, table } from "./output.ts";
import { renderReplay, SIGNING_HELP, SIGNING_OPTIONS, signingFields } from "./webhook-signing.ts";
import type { ReplayResult } from "../replay/replay.ts";

export const WEBHOOK_USAGE = `Usage: inlet webhook <command> [options]

Manage webhooks (the same verbs as \`prefect cloud webhook\`).

Commands:
  ls                                   list webhooks
  get WEBHOOK_ID                       show one webhook
  create WEBHOOK_NAME -t TEMPLATE      create a webhook and print its URL
  update WEBHOOK_ID [-n] [-d] [-t]     change a webhook's name, description or template
  toggle WEBHOOK_ID                    enable a disabled webhook, disable an enabled one
  rotate WEBHOOK_ID                    give a webhook a new URL (the old one stops working)
  delete WEBHOOK_ID                    delete a webhook
  replay WEBHOOK_ID [--since T]        run failed requests again through the current template

Run "inlet webhook <command> --help" for a command's options.
`;

/** Prefect's message for `create` without a template, verbatim (trailing spaces included). */
export const MISSING_TEMPLATE_MESSAGE =
  "Please provide a Jinja2 template expression in the --template flag \n" +
  "which should define (at minimum) the following attributes: \n" +
  '{ "event": "your.event.name", "resource": { "prefect.resource.id": "your.resource.id" } } \n' +
  "https://docs.prefect.io/latest/automate/events/webhook-triggers#webhook-templates";

const TEMPLATE_COLUMN_WIDTH = 60;

const help = (synopsis: string, about: string, options: string[]) =>
  `Usage: inlet webhook ${synopsis}\n\n${about}\n\nOptions:\n${[...options, CLIENT_HELP, "  -h, --help           show this help"].join("\n")}\n`;

const OUTPUT = `  -o, --output json    print JSON instead of a table`;
const TEMPLATE = `  -t, --template T     the event template (Jinja); @FILE reads it from a file, @- from stdin`;
const YES = `  -y, --yes            do not ask for confirmation (required when not in a terminal)`;

function renderTable(hooks: Webhook[]): string {
  return table(
    ["webhook id", "url", "name", "enabled?", "template"],
    hooks.map((h) => [h.id, h.url, h.name, h.enabled ? "True" : "False", oneLine(h.template, TEMPLATE_COLUMN_WIDTH)]),
  );
}

/**
 * `-t '{…}'` is the template itself; `-t @file` reads it from a file (like curl's `-d @file`).
 * A template makes a JSON object, so it has a `{`: a value without one is a file name given
 * without its `@` (or a typo of one), and storing it as the template would fail every request.
 */
async function templateArg(io: CliIO, value: string | undefined): Promise<string | undefined> {
  if (value === undefined) return value;
  if (value.startsWith("@")) return await readInputFile(io, value.slice(1), "the template");
  if (!value.includes("{")) {
    if (existsSync(value)) throw new UsageError(`-t "${value}" names a file; to read the template from it, use -t @${value}`);
    throw new UsageError(`-t "${value}" is not a template (a template makes a JSON object: {…}); to read one from a file, use -t @FILE`);
  }
  return value;
}

const path = (id: string) => `/api/webhooks/${encodeURIComponent(id)}`;

/** A call about one webhook; a 404 becomes Prefect's message. */
const about = <T>(id: string, call: () => Promise<T>) => aboutOne("Webhook", id, call);

const LS_HELP = help("ls [options]", "Lists the webhooks: id, URL, name, whether enabled, and the template (shortened).", [OUTPUT]);
const GET_HELP = help("get WEBHOOK_ID [options]", "Shows one webhook.", [OUTPUT]);
const CREATE_HELP = help("create WEBHOOK_NAME -t TEMPLATE [options]", "Creates a webhook and prints its URL.", [
  TEMPLATE,
  "  -d, --description D  what the webhook is for",
  "  --service-account ID\n                       accept only requests that bear this service account's API key",
  ...SIGNING_HELP,
  OUTPUT,
]);
const UPDATE_HELP = help("update WEBHOOK_ID [options]", "Changes a webhook; what is not given stays as it is.", [
  "  -n, --name NAME      the new name",
  "  -d, --description D  the new description",
  TEMPLATE,
  ...SIGNING_HELP,
]);
const REPLAY_HELP = help(
  "replay WEBHOOK_ID [options]",
  "Runs the webhook's failed requests again through its current template. Each failure is replayed\ninto at most one event; failures of signatures, keys and size are never replayed.",
  [
    "  --since T            replay failures from this time (ISO 8601; default: the last hour)",
    "  --until T            up to this time (default: now)",
    "  --event ID           replay this failure event (repeatable) instead of a time range",
    "  --dry-run            show what would happen; store nothing",
    OUTPUT,
  ],
);
const TOGGLE_HELP = help("toggle WEBHOOK_ID [options]", "Disables an enabled webhook, enables a disabled one.", []);
const ROTATE_HELP = help("rotate WEBHOOK_ID [options]", "Gives the webhook a new URL; the old URL stops working at once.", [YES]);
const DELETE_HELP = help("delete WEBHOOK_ID [options]", "Deletes a webhook.", [YES]);

const output = { output: { type: "string", short: "o" } } as const;
const yes = { yes: { type: "boolean", short: "y" } } as const;

export const WEBHOOK_COMMANDS = {
  ls: apiCommand(LS_HELP, output, [], async (_args, v, client, io) => {
    const asJson = jsonOutput(str(v, "output"), LS_HELP);
    const hooks = await client.request<Webhook[]>("POST", "/api/webhooks/filter");
    if (asJson) io.stdout(json(hooks));
    else if (hooks.length === 0) io.stdout("No webhooks.\n");
    else io.stdout(renderTable(hooks));
    return 0;
  }),

  get: apiCommand(GET_HELP, output, ["WEBHOOK_ID"], async ([id], v, client, io) => {
    const asJson = jsonOutput(str(v, "output"), GET_HELP);
    const hook = await about(id!, () => client.request<Webhook>("GET", path(id!)));
    io.stdout(asJson ? json(hook) : renderTable([hook]));
    return 0;
  }),

  create: apiCommand(
    CREATE_HELP,
    {
      template: { type: "string", short: "t" },
      description: { type: "string", short: "d" },
      "service-account": { type: "string" },
      ...SIGNING_OPTIONS,
      ...output,
    },
    ["WEBHOOK_NAME"],
    async ([name], v, client, io) => {
      const asJson = jsonOutput(str(v, "output"), CREATE_HELP);
      const template = await templateArg(io, str(v, "template"));
      if (!template) throw new CliError(MISSING_TEMPLATE_MESSAGE);
      const body: Record<string, unknown> = { name, description: str(v, "description") ?? "", template };
      if (str(v, "service-account") !== undefined) body.service_account_id = str(v, "service-account");
      Object.assign(body, await signingFields(io, v));
      const hook = await client.request<Webhook>("POST", "/api/webhooks/", body);
      io.stdout(asJson ? json(hook) : `Successfully created webhook ${hook.name}\n${hook.url}\n`);
      return 0;
    },
  ),

  update: apiCommand(
    UPDATE_HELP,
    {
      name: { type: "string", short: "n" },
      description: { type: "string", short: "d" },
      template: { type: "string", short: "t" },
      ...SIGNING_OPTIONS,
    },
    ["WEBHOOK_ID"],
    async ([id], v, client, io) => {
      const template = await templateArg(io, str(v, "template"));
      const signing = await signingFields(io, v);
      const current = await about(id!, () => client.request<Webhook>("GET", path(id!)));
      // Prefect sends name/description/template with `or` (an empty value keeps the old one).
      // enabled and service_account_id are sent as they are so that the PUT cannot reset them.
      await about(id!, () =>
        client.request("PUT", path(id!), {
          name: str(v, "name") || current.name,
          description: str(v, "description") || current.description,
          template: template || current.template,
          enabled: current.enabled,
          service_account_id: current.service_account_id,
          ...signing,
        }),
      );
      io.stdout(`Successfully updated webhook ${id}\n`);
      return 0;
    },
  ),

  toggle: apiCommand(TOGGLE_HELP, {}, ["WEBHOOK_ID"], async ([id], _v, client, io) => {
    const current = await about(id!, () => client.request<Webhook>("GET", path(id!)));
    const enabled = !current.enabled;
    await about(id!, () => client.request("PATCH", path(id!), { enabled }));
    io.stdout(`Webhook is now ${enabled ? "enabled" : "disabled"}\n`);
    return 0;
  }),

  rotate: apiCommand(ROTATE_HELP, yes, ["WEBHOOK_ID"], async ([id], v, client, io) => {
    const ok = await confirm(io, "Are you sure you want to rotate? This will invalidate the old URL.", v.yes === true);
    if (ok === null) throw new CliError("Refusing to rotate without confirmation in a non-interactive session; pass --yes to rotate.");
    if (!ok) return 0; // Prefect returns quietly when the user declines.
    const hook = await about(id!, () => client.request<Webhook>("POST", `${path(id!)}/rotate`));
    io.stdout(`Successfully rotated webhook URL to ${hook.slug}\n${hook.url}\n`);
    return 0;
  }),

  replay: apiCommand(
    REPLAY_HELP,
    {
      since: { type: "string" },
      until: { type: "string" },
      event: { type: "string", multiple: true },
      "dry-run": { type: "boolean" },
      ...output,
    },
    ["WEBHOOK_ID"],
    async ([id], v, client, io) => {
      const asJson = jsonOutput(str(v, "output"), REPLAY_HELP);
      const dryRun = v["dry-run"] === true;
      const events = v.event as string[] | undefined;
      const body: Record<string, unknown> = { dry_run: dryRun };
      if (events) body.event_ids = events;
      else body.since = str(v, "since") ?? new Date(Date.now() - 3_600_000).toISOString();
      if (str(v, "until") !== undefined) body.until = str(v, "until");
      const answer = await about(id!, () =>
        client.request<{ results: ReplayResult[]; more: boolean }>("POST", `${path(id!)}/replay`, body),
      );
      io.stdout(asJson ? json(answer) : renderReplay(answer.results, dryRun, answer.more));
      return 0;
    },
  ),

  delete: apiCommand(DELETE_HELP, yes, ["WEBHOOK_ID"], async ([id], v, client, io) => {
    const ok = await confirm(io, `Are you sure you want to delete webhook with id '${id}'?`, v.yes === true);
    if (ok === null) throw new CliError("Refusing to delete without confirmation in a non-interactive session; pass --yes to delete.");
    if (!ok) throw new CliError("Deletion aborted.");
    try {
      await client.request("DELETE", path(id!));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw new CliError(`Webhook with id '${id}' not found.`);
      if (err instanceof ApiError && err.status !== 401) throw new CliError(`Error deleting webhook: ${err.message}`);
      throw err;
    }
    io.stdout(`Successfully deleted webhook ${id}\n`);
    return 0;
  }),
};

export async function webhookCommand(argv: string[], io: CliIO): Promise<number> {
  return await dispatch(argv, io, WEBHOOK_USAGE, WEBHOOK_COMMANDS);
}
