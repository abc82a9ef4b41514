// `inlet automation …`: Prefect's `prefect automation` verbs over the REST API. Files given to
// create and update are JSON or YAML, one automation or `{"automations": [...]}` as Prefect's CLI
// takes them.
import type { Automation, Trigger } from "../automations/model.ts";
import { CLIENT_HELP, dispatch, str, type Subcommand, type Values } from "./args.ts";
import { aboutOne, apiCommand } from "./api-command.ts";
import { CliError, confirm, readInputFile, UsageError, type CliIO } from "./io.ts";
import { json, oneLine, table } from "./output.ts";
import { AUTOMATION_DELIVERIES_COMMAND } from "./automation-deliveries.ts";

export const AUTOMATION_USAGE = `Usage: inlet automation <command> [options]

Manage automations (the same verbs as \`prefect automation\`).

Commands:
  ls                                   list automations
  inspect AUTOMATION_ID [-o json|yaml] show one automation
  create --from-file FILE              create the automation(s) in a JSON or YAML file
  update AUTOMATION_ID --from-file FILE
                                       replace an automation (fields the file omits stay)
  pause AUTOMATION_ID                  pause an automation
  resume AUTOMATION_ID                 resume a paused automation
  delete AUTOMATION_ID                 delete an automation
  deliveries AUTOMATION_ID             its actions' deliveries, newest first, with their last attempt

Run "inlet automation <command> --help" for a command's options.
`;

type Shown = Automation & { status?: unknown };

const help = (synopsis: string, about: string, options: string[]) =>
  `Usage: inlet automation ${synopsis}\n\n${about}\n\nOptions:\n${[...options, CLIENT_HELP, "  -h, --help           show this help"].join("\n")}\n`;

const FROM_FILE = `  -f, --from-file FILE an automation as JSON or YAML; - reads standard input`;
const YES = `  -y, --yes            do not ask for confirmation (required when not in a terminal)`;

/** A line about a trigger, for the list. */
export function describeTrigger(trigger: Trigger): string {
  switch (trigger.type) {
    case "event": {
      const events = trigger.expect.length > 0 ? trigger.expect.join(", ") : "any event";
      const count = trigger.threshold > 1 ? `${trigger.threshold} × ` : "";
      const window = trigger.within > 0 ? ` within ${trigger.within} s` : "";
      return trigger.posture === "Proactive"
        ? `Proactive: fewer than ${trigger.threshold} × ${events}${window}`
        : `Reactive: ${count}${events}${window}`;
    }
    case "compound":
      return `compound: ${trigger.require} of ${trigger.triggers.length} triggers`;
    case "sequence":
      return `sequence of ${trigger.triggers.length} triggers`;
  }
}

function renderTable(automations: Shown[]): string {
  return table(
    ["automation id", "name", "enabled?", "trigger", "actions"],
    automations.map((a) => [
      a.id,
      oneLine(a.name, 40),
      a.enabled ? "True" : "False",
      oneLine(describeTrigger(a.trigger), 60),
      [...a.actions, ...a.actions_on_trigger, ...a.actions_on_resolve].map((action) => action.type).join(", ") || "none",
    ]),
  );
}

/** `-o json` or `-o yaml` (Prefect's inspect offers both); YAML when not given. */
function outputFormat(value: string | undefined, usage: string): "json" | "yaml" {
  if (value === undefined || value === "yaml") return "yaml";
  if (value === "json") return "json";
  throw new UsageError("Only 'json' and 'yaml' output formats are supported.", usage);
}

/** JSON, or else YAML (JSON is YAML too, but JSON's errors say more when the file is meant as JSON). */
function parseDocument(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return Bun.YAML.parse(text);
    } catch (err) {
      throw new CliError(`Cannot read ${source}: neither JSON nor YAML (${err instanceof Error ? err.message : String(err)})`);
    }
  }
}

/** The automations a file holds: one, or the list under `automations`. */
async function automationsIn(io: CliIO, file: string): Promise<unknown[]> {
  const doc = parseDocument(await readInputFile(io, file, "the automation"), file);
  if (doc && typeof doc === "object" && !Array.isArray(doc)) {
    const list = (doc as { automations?: unknown }).automations;
    if (Array.isArray(list)) return list;
    return [doc];
  }
  throw new CliError(`${file}: expected an automation (an object) or {"automations": [...]}`);
}

function fromFile(v: Values, usage: string): string {
  const file = str(v, "from-file");
  if (!file) throw new UsageError("missing --from-file FILE", usage);
  return file;
}

/** The API's largest page of automations. */
const PAGE = 200;

const path = (id: string) => `/api/automations/${encodeURIComponent(id)}`;

/** A call about one automation; a 404 becomes Prefect's message. */
const about = <T>(id: string, call: () => Promise<T>) => aboutOne("Automation", id, call);

const LS_HELP = help("ls [options]", "Lists the automations: id, name, whether enabled, the trigger and the actions.", [
  `  -o, --output json    print JSON instead of a table`,
]);
const INSPECT_HELP = help("inspect AUTOMATION_ID [options]", "Shows one automation, whole.", [
  `  -o, --output FORMAT  yaml (the default) or json`,
]);
const CREATE_HELP = help("create --from-file FILE [options]", "Creates the automation in FILE, or each one in its `automations` list.", [
  FROM_FILE,
]);
const UPDATE_HELP = help(
  "update AUTOMATION_ID --from-file FILE [options]",
  "Replaces the automation with the one in FILE; optional fields the file leaves out keep their values.",
  [FROM_FILE],
);
const PAUSE_HELP = help("pause AUTOMATION_ID [options]", "Pauses an automation: its trigger stops counting and its actions stop.", []);
const RESUME_HELP = help("resume AUTOMATION_ID [options]", "Resumes a paused automation.", []);
const DELETE_HELP = help("delete AUTOMATION_ID [options]", "Deletes an automation.", [YES]);

const output = { output: { type: "string", short: "o" } } as const;
const file = { "from-file": { type: "string", short: "f" } } as const;

function setEnabled(enabled: boolean, helpText: string) {
  return apiCommand(helpText, {}, ["AUTOMATION_ID"], async ([id], _v, client, io) => {
    await about(id!, () => client.request("PATCH", path(id!), { enabled }));
    io.stdout(`${enabled ? "Resumed" : "Paused"} automation with id '${id}'.\n`);
    return 0;
  });
}

export const AUTOMATION_COMMANDS: Record<string, Subcommand> = {
  ls: apiCommand(LS_HELP, output, [], async (_args, v, client, io) => {
    const format = str(v, "output");
    if (format !== undefined && format !== "json") throw new UsageError("Only 'json' output format is supported.", LS_HELP);
    const automations: Shown[] = [];
    for (;;) {
      const page = await client.request<Shown[]>("POST", "/api/automations/filter", { limit: PAGE, offset: automations.length });
      automations.push(...page);
      if (page.length < PAGE) break;
    }
    if (format === "json") io.stdout(json(automations));
    else if (automations.length === 0) io.stdout("No automations found.\n");
    else io.stdout(renderTable(automations));
    return 0;
  }),

  inspect: apiCommand(INSPECT_HELP, output, ["AUTOMATION_ID"], async ([id], v, client, io) => {
    const format = outputFormat(str(v, "output"), INSPECT_HELP);
    const automation = await about(id!, () => client.request<Shown>("GET", path(id!)));
    io.stdout(format === "json" ? json(automation) : `${Bun.YAML.stringify(automation, null, 2).trimEnd()}\n`);
    return 0;
  }),

  create: apiCommand(CREATE_HELP, file, [], async (_args, v, client, io) => {
    const bodies = await automationsIn(io, fromFile(v, CREATE_HELP));
    if (bodies.length === 0) throw new CliError("No automations to create.");
    for (const body of bodies) {
      const created = await client.request<Shown>("POST", "/api/automations/", body);
      io.stdout(`Created automation '${created.name}' with id ${created.id}\n`);
    }
    return 0;
  }),

  update: apiCommand(UPDATE_HELP, file, ["AUTOMATION_ID"], async ([id], v, client, io) => {
    const bodies = await automationsIn(io, fromFile(v, UPDATE_HELP));
    if (bodies.length !== 1) throw new CliError(`update takes one automation; the file has ${bodies.length}`);
    await about(id!, () => client.request("PUT", path(id!), bodies[0]));
    io.stdout(`Updated automation with id '${id}'.\n`);
    return 0;
  }),

  pause: setEnabled(false, PAUSE_HELP),
  resume: setEnabled(true, RESUME_HELP),

  delete: apiCommand(DELETE_HELP, { yes: { type: "boolean", short: "y" } }, ["AUTOMATION_ID"], async ([id], v, client, io) => {
    const ok = await confirm(io, `Are you sure you want to delete automation with id '${id}'?`, v.yes === true);
    if (ok === null) throw new CliError("Refusing to delete without confirmation in a non-interactive session; pass --yes to delete.");
    if (!ok) throw new CliError("Deletion aborted.");
    await about(id!, () => client.request("DELETE", path(id!)));
    io.stdout(`Deleted automation with id '${id}'.\n`);
    return 0;
  }),

  deliveries: AUTOMATION_DELIVERIES_COMMAND,
};

export async function automationCommand(argv: string[], io: CliIO): Promise<number> {
  return await dispatch(argv, io, AUTOMATION_USAGE, AUTOMATION_COMMANDS);
}
