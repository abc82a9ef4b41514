// Dispatches `inlet <command> …` and turns errors into exit statuses (0 ok, 1 failed, 2 usage).
import { VERSION } from "../version.ts";
import { CliError, UsageError, type CliIO } from "./io.ts";
import { serveCommand } from "./serve.ts";
import { serviceAccountCommand } from "./service-account.ts";

type Command = (argv: string[], io: CliIO) => Promise<number>;

export const COMMANDS: Record<string, { run: Command; summary: string }> = {
  serve: { run: serveCommand, summary: "run the server (ingestion, API, live feed, admin UI)" },
  "service-account": { run: serviceAccountCommand, summary: "manage service accounts and API keys (offline)" },
  version: { run: async (_argv, io) => (io.stdout(`inlet ${VERSION}\n`), 0), summary: "print the version" },
};

export function mainUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: inlet <command> [options]

Inlet receives webhooks and turns them into events.

Commands:
${lines.join("\n")}

Run "inlet <command> --help" for a command's options.
`;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainUsage());
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
      if (usageLine) io.stderr(`${usageLine}\nRun "inlet ${command ? `${name} ` : ""}--help" for more.\n`);
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
