// Dispatches `inlet <command> …` and turns errors into exit statuses (0 ok, 1 failed, 2 usage).
import { VERSION } from "../version.ts";
import { adminCommand } from "./admin.ts";
import { automationCommand } from "./automation.ts";
import { backupCommand, restoreCommand } from "./backup.ts";
import { eventsCommand } from "./events.ts";
import { CliError, UsageError, type CliIO } from "./io.ts";
import { loginCommand, logoutCommand } from "./login.ts";
import { serveCommand } from "./serve.ts";
import { serviceAccountCommand } from "./service-account.ts";
import { templateCommand } from "./template.ts";
import { webhookCommand } from "./webhook.ts";

type Command = (argv: string[], io: CliIO) => Promise<number>;

export const COMMANDS: Record<string, { run: Command; summary: string; hidden?: boolean }> = {
  serve: { run: serveCommand, summary: "run the server (ingestion, API, live feed, admin UI)" },
  login: { run: loginCommand, summary: "store the server URL and an API key for the commands below" },
  logout: { run: logoutCommand, summary: "forget what `inlet login` stored" },
  webhook: { run: webhookCommand, summary: "manage webhooks: ls, get, create, update, toggle, rotate, delete" },
  webhooks: { run: webhookCommand, summary: "", hidden: true }, // Prefect's alias
  automation: { run: automationCommand, summary: "manage automations: ls, inspect, create, update, pause, resume, delete" },
  automations: { run: automationCommand, summary: "", hidden: true }, // Prefect's alias
  events: { run: eventsCommand, summary: "list stored events, or follow them live" },
  template: { run: templateCommand, summary: "render a template on a sample request (offline)" },
  "service-account": { run: serviceAccountCommand, summary: "manage service accounts and API keys (offline)" },
  admin: { run: adminCommand, summary: "add a user of the admin UI (offline)" },
  backup: { run: backupCommand, summary: "copy the database consistently, also while the server runs" },
  restore: { run: restoreCommand, summary: "put a backup in place (offline, server stopped)" },
  version: { run: async (_argv, io) => (io.stdout(`inlet ${VERSION}\n`), 0), summary: "print the version" },
};

export function mainUsage(): string {
  const visible = Object.entries(COMMANDS).filter(([, c]) => !c.hidden);
  const width = Math.max(...visible.map(([name]) => name.length));
  const lines = visible.map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: inlet <command> [options]

Inlet receives webhooks and turns them into events.

Commands:
${lines.join("\n")}

Run "inlet <command> --help" for a command's options.
`;
}

/** "Usage: inlet webhook create NAME …" → "inlet webhook create": where to point for --help. */
function helpCommand(usageLine: string): string {
  return /^Usage: (inlet(?: [a-z][a-z-]*)*)/.exec(usageLine)?.[1] ?? "inlet";
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    (name ? io.stdout : io.stderr)(mainUsage());
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") return COMMANDS.version!.run([], io);
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`, mainUsage());
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`inlet: ${err.message}\n`);
      const usageLine = err.usage?.split("\n")[0];
      if (usageLine) io.stderr(`${usageLine}\nRun "${helpCommand(usageLine)} --help" for more.\n`);
      return 2;
    }
    if (err instanceof CliError) {
      io.stderr(`${err.message}\n`);
      return 1;
    }
    io.stderr(`inlet: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
