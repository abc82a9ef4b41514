// Thin wrapper over node:util parseArgs that turns its errors into usage errors (exit 2).
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError, type CliIO } from "./io.ts";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, "") : String(err), usage);
  }
}

/** The flags of every command that talks to a server. */
export const CLIENT_OPTIONS = {
  url: { type: "string" },
  "api-key": { type: "string" },
} as const satisfies Options;

export const CLIENT_HELP = `  --url URL            the Inlet server (env INLET_API_URL, else from \`inlet login\`)
  --api-key KEY        an admin API key (env INLET_API_KEY, else from \`inlet login\`)`;

/** `-o json` is the only output format besides the default table (Prefect's message). */
export function jsonOutput(output: string | undefined, usage: string): boolean {
  if (output !== undefined && output !== "json") throw new UsageError("Only 'json' output format is supported.", usage);
  return output === "json";
}

/** Checks the number of positionals: names them when missing, rejects extras. */
export function positionals(values: string[], names: string[], usage: string, optional = 0): string[] {
  const required = names.length - optional;
  if (values.length < required) throw new UsageError(`missing ${names[values.length]}`, usage);
  if (values.length > names.length) throw new UsageError(`unexpected argument "${values[names.length]}"`, usage);
  return values;
}

export interface Subcommand {
  run: (argv: string[], io: CliIO) => Promise<number>;
}

/** `inlet <group> <sub> …`: `--help` and no subcommand print the group's usage. */
export async function dispatch(argv: string[], io: CliIO, usage: string, subs: Record<string, Subcommand>): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "--help" || sub === "-h" || sub === "help") {
    io.stdout(usage);
    return 0;
  }
  if (!sub) throw new UsageError("missing command", usage);
  const command = subs[sub];
  if (!command)
    throw new UsageError(
      sub.startsWith("-") ? `unknown option "${sub}" (put options after the command)` : `unknown command "${sub}"`,
      usage,
    );
  return await command.run(rest, io);
}

export type Values = Record<string, string | string[] | boolean | undefined>;

/** A subcommand: parses its flags (printing its help on --help) and checks its positionals before `body` runs. */
export function subcommand(
  spec: { help: string; options: Options; args: string[]; optionalArgs?: number },
  body: (args: string[], values: Values, io: CliIO) => Promise<number>,
): Subcommand {
  return {
    async run(argv, io) {
      const { values, positionals: given } = parse(argv, spec.options, spec.help);
      if (values.help) {
        io.stdout(spec.help);
        return 0;
      }
      return await body(positionals(given, spec.args, spec.help, spec.optionalArgs), values as Values, io);
    },
  };
}

export const str = (v: Values, name: string) => v[name] as string | undefined;
export const list = (v: Values, name: string) => (v[name] as string[] | undefined) ?? [];
