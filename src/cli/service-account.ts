// `inlet service-account …`: works offline on the data directory (also while a server runs on it),
// so that the first admin key can be made before anything else exists.
import { ROLES, ServiceAccountStore, type Role } from "../auth/service-accounts.ts";
import { databasePath, resolveDataDir } from "../config.ts";
import { openDatabase } from "../db/open.ts";
import { parse } from "./args.ts";
import { AppError } from "../errors.ts";
import { CliError, UsageError, type CliIO } from "./io.ts";

export const SERVICE_ACCOUNT_USAGE = `Usage: inlet service-account <command> [options]

Commands (offline, on the data directory):
  create NAME [--role admin|webhook]   create an account and print its API key once
  ls                                   list accounts
  delete ID                            delete an account (and the webhooks bound to it)
  rotate-key ID                        replace an account's key and print the new one once

Options:
  --data-dir DIR   data directory (env INLET_DATA_DIR, default ./inlet-data)
  -o, --output F   "json" for machine-readable output
  -h, --help       show this help
`;

function openStore(dataDir: string | undefined, io: CliIO): ServiceAccountStore {
  return new ServiceAccountStore(openDatabase({ path: databasePath(resolveDataDir(dataDir, io.env)) }));
}

export async function serviceAccountCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      role: { type: "string" },
      "data-dir": { type: "string" },
      output: { type: "string", short: "o" },
      yes: { type: "boolean", short: "y" },
    },
    SERVICE_ACCOUNT_USAGE,
  );
  const [sub, arg, extra] = positionals;
  if (values.help || !sub) {
    if (!sub && !values.help) throw new UsageError("missing command", SERVICE_ACCOUNT_USAGE);
    io.stdout(SERVICE_ACCOUNT_USAGE);
    return 0;
  }
  if (values.output !== undefined && values.output !== "json")
    throw new UsageError("Only 'json' output format is supported.", SERVICE_ACCOUNT_USAGE);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, SERVICE_ACCOUNT_USAGE);
  const json = values.output === "json";

  switch (sub) {
    case "create": {
      if (!arg) throw new UsageError("missing NAME", SERVICE_ACCOUNT_USAGE);
      const role = (values.role ?? "admin") as Role;
      if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")}`, SERVICE_ACCOUNT_USAGE);
      let account;
      try {
        account = openStore(values["data-dir"], io).create(arg, role);
      } catch (err) {
        if (err instanceof AppError) throw new CliError(err.message);
        throw err;
      }
      if (json)
        io.stdout(`${JSON.stringify({ id: account.id, name: account.name, role: account.role, api_key: account.api_key }, null, 2)}\n`);
      else
        io.stdout(
          `Created service account ${account.name} (${account.id}, role ${account.role}).\nAPI key (shown once, store it now):\n${account.api_key}\n`,
        );
      return 0;
    }
    case "ls": {
      const list = openStore(values["data-dir"], io).list();
      if (json) io.stdout(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.length === 0) io.stdout("No service accounts.\n");
      else {
        const rows = [["id", "name", "role", "key", "created"], ...list.map((a) => [a.id, a.name, a.role, `${a.key_prefix}…`, a.created])];
        const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
        io.stdout(
          rows
            .map((r) =>
              r
                .map((cell, c) => cell.padEnd(widths[c]!))
                .join("  ")
                .trimEnd(),
            )
            .join("\n") + "\n",
        );
      }
      return 0;
    }
    case "delete": {
      if (!arg) throw new UsageError("missing ID", SERVICE_ACCOUNT_USAGE);
      if (!openStore(values["data-dir"], io).delete(arg)) throw new CliError(`Service account with id '${arg}' not found.`);
      io.stdout(`Successfully deleted service account ${arg}\n`);
      return 0;
    }
    case "rotate-key": {
      if (!arg) throw new UsageError("missing ID", SERVICE_ACCOUNT_USAGE);
      const account = openStore(values["data-dir"], io).rotateKey(arg);
      if (!account) throw new CliError(`Service account with id '${arg}' not found.`);
      if (json)
        io.stdout(`${JSON.stringify({ id: account.id, name: account.name, role: account.role, api_key: account.api_key }, null, 2)}\n`);
      else io.stdout(`New API key for ${account.name} (shown once, the old key no longer works):\n${account.api_key}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${sub}"`, SERVICE_ACCOUNT_USAGE);
  }
}
