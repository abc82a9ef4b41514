// `inlet admin create` and `inlet admin set-password`: offline on the data directory (also while a
// server runs on it), so that the first admin can sign in, and one who is locked out can again.
import { SessionStore } from "../auth/sessions.ts";
import { USER_ROLES, UserStore, type UserRole } from "../auth/users.ts";
import { databasePath, resolveDataDir } from "../config.ts";
import { closeDatabase, openDatabase } from "../db/open.ts";
import { AppError } from "../errors.ts";
import { dispatch, str, subcommand } from "./args.ts";
import { CliError, UsageError, type CliIO } from "./io.ts";
import { json } from "./output.ts";

export const ADMIN_USAGE = `Usage: inlet admin <command> [options]

Commands (offline, on the data directory):
  create --email E --password P        add a user who can sign in to the admin UI
  set-password --email E --password P  give a user a new password and sign them out everywhere

Run "inlet admin <command> --help" for its options.
`;

export const ADMIN_CREATE_USAGE = `Usage: inlet admin create --email E --password P [options]

Adds a user of the admin UI, offline on the data directory (a running server sees it at once).

Options:
  --email E            the user's email address (their sign-in name)
  --password P         their password (at least 8 characters)
  --password-stdin     read the password from standard input instead (keeps it out of \`ps\`)
  --role admin|viewer  admin (default) may change anything, viewer may only look
  --data-dir DIR       data directory (env INLET_DATA_DIR, default ./inlet-data)
  -o, --output json    print the user as JSON
  -h, --help           show this help
`;

const create = subcommand(
  {
    help: ADMIN_CREATE_USAGE,
    options: {
      email: { type: "string" },
      password: { type: "string" },
      "password-stdin": { type: "boolean" },
      role: { type: "string" },
      "data-dir": { type: "string" },
      output: { type: "string", short: "o" },
    },
    args: [],
  },
  async (_a, v, io) => {
    const { email, password } = await credentials(v, io, ADMIN_CREATE_USAGE);
    const role = (str(v, "role") ?? "admin") as UserRole;
    if (!USER_ROLES.includes(role))
      throw new UsageError(`--role must be one of ${USER_ROLES.join(", ")}, got "${role}"`, ADMIN_CREATE_USAGE);
    if (str(v, "output") !== undefined && str(v, "output") !== "json")
      throw new UsageError("Only 'json' output format is supported.", ADMIN_CREATE_USAGE);

    const db = openDatabase({ path: databasePath(resolveDataDir(str(v, "data-dir"), io.env)) });
    try {
      const user = await new UserStore(db).create({ email, password, role });
      io.stdout(str(v, "output") === "json" ? json(user) : `Created ${user.role} user ${user.email} (${user.id}).\n`);
      return 0;
    } catch (err) {
      // The store's messages are written for API clients ("email: must be…"); they read fine here too.
      if (err instanceof AppError) throw new CliError(err.message);
      throw err;
    } finally {
      closeDatabase(db);
    }
  },
);

export const ADMIN_SET_PASSWORD_USAGE = `Usage: inlet admin set-password --email E --password P [options]

Gives a user of the admin UI a new password, offline on the data directory (for an admin who is
locked out or forgot it). The user's sessions end: they sign in again with the new password.

Options:
  --email E            the user's email address
  --password P         the new password (at least 8 characters)
  --password-stdin     read the password from standard input instead (keeps it out of \`ps\`)
  --data-dir DIR       data directory (env INLET_DATA_DIR, default ./inlet-data)
  -h, --help           show this help
`;

const setPassword = subcommand(
  {
    help: ADMIN_SET_PASSWORD_USAGE,
    options: {
      email: { type: "string" },
      password: { type: "string" },
      "password-stdin": { type: "boolean" },
      "data-dir": { type: "string" },
    },
    args: [],
  },
  async (_a, v, io) => {
    const { email, password } = await credentials(v, io, ADMIN_SET_PASSWORD_USAGE);
    const db = openDatabase({ path: databasePath(resolveDataDir(str(v, "data-dir"), io.env)) });
    try {
      const users = new UserStore(db);
      const user = users.getByEmail(email);
      if (!user) throw new CliError(`No user with the email ${email.trim().toLowerCase()}`);
      await users.update(user.id, { password });
      new SessionStore(db).revokeUser(user.id);
      io.stdout(`Set a new password for ${user.email}; their sessions have ended.\n`);
      return 0;
    } catch (err) {
      if (err instanceof AppError) throw new CliError(err.message);
      throw err;
    } finally {
      closeDatabase(db);
    }
  },
);

/** `--email` and the password, from `--password` or standard input (never both). */
async function credentials(v: Parameters<typeof str>[0], io: CliIO, usage: string): Promise<{ email: string; password: string }> {
  const email = str(v, "email");
  if (!email) throw new UsageError("missing --email", usage);
  if (str(v, "password") !== undefined && v["password-stdin"]) throw new UsageError("give --password or --password-stdin, not both", usage);
  let password = str(v, "password");
  if (v["password-stdin"]) {
    if (!io.readStdin) throw new CliError("Cannot read the password from standard input here");
    password = (await io.readStdin()).replace(/\r?\n$/, "");
  }
  if (password === undefined) throw new UsageError("missing --password", usage);
  return { email, password };
}

export async function adminCommand(argv: string[], io: CliIO): Promise<number> {
  return await dispatch(argv, io, ADMIN_USAGE, { create, "set-password": setPassword });
}
