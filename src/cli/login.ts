// `inlet login` / `inlet logout`: remember (or forget) a server URL and an admin API key.
import { clientEnv } from "../config.ts";
import { str, subcommand } from "./args.ts";
import { ApiClient, ApiError, normalizeUrl, removeLogin, writeLogin } from "./client.ts";
import { CliError, UsageError, type CliIO } from "./io.ts";

export const LOGIN_USAGE = `Usage: inlet login --url URL --api-key KEY

Checks the key against the server and stores both in the config file
($XDG_CONFIG_HOME/inlet/config.json or ~/.config/inlet/config.json, mode 0600).
INLET_API_URL and INLET_API_KEY, and --url/--api-key on any command, take precedence.

Options:
  --url URL        the Inlet server, e.g. http://127.0.0.1:4280
  --api-key KEY    an admin API key (\`inlet service-account create NAME\` makes one)
  -h, --help       show this help
`;

export const LOGOUT_USAGE = `Usage: inlet logout

Removes the config file written by \`inlet login\`.

Options:
  -h, --help       show this help
`;

const login = subcommand(
  { help: LOGIN_USAGE, options: { url: { type: "string" }, "api-key": { type: "string" } }, args: [] },
  async (_a, v, io) => {
    let rawUrl = str(v, "url");
    let key = str(v, "api-key");
    // In a terminal, ask for what is missing (as `prefect cloud login` does); elsewhere it is a usage error.
    if (rawUrl === undefined && io.isTTY) rawUrl = (await io.prompt("Inlet URL: "))?.trim() || undefined;
    if (rawUrl === undefined) throw new UsageError("missing --url", LOGIN_USAGE);
    const url = normalizeUrl(rawUrl, "--url");
    if (key === undefined && io.isTTY) key = (await io.prompt("API key: "))?.trim() || undefined;
    if (!key) throw new UsageError("missing --api-key", LOGIN_USAGE);

    const client = new ApiClient({ url, apiKey: key });
    const health = await client.request<{ status?: unknown }>("GET", "/api/health", undefined, { auth: false }).catch((err) => {
      // A 503 from /api/health is still an Inlet server (with a database problem).
      if (err instanceof ApiError && err.status === 503)
        throw new CliError(`Inlet at ${url} is unavailable: its database cannot be reached`);
      throw err;
    });
    if (typeof health?.status !== "string") throw new CliError(`${url} does not look like an Inlet server (GET /api/health)`);
    try {
      await client.request("GET", "/api/service-accounts");
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw new CliError(`Invalid API key: Inlet at ${url} rejected it`);
      if (err instanceof ApiError && err.status === 403)
        throw new CliError(`This API key may only send webhooks; the CLI needs an admin key`);
      throw err;
    }
    const { configFile } = clientEnv(io.env);
    try {
      writeLogin(configFile, { url, api_key: key });
    } catch (err) {
      throw new CliError(`Cannot write ${configFile}: ${err instanceof Error ? err.message : String(err)}`);
    }
    io.stdout(`Authenticated with Inlet at ${url}.\nSaved to ${configFile}\n`);
    return 0;
  },
);

const logout = subcommand({ help: LOGOUT_USAGE, options: {}, args: [] }, async (_a, _v, io) => {
  const { configFile } = clientEnv(io.env);
  io.stdout(removeLogin(configFile) ? `Logged out (removed ${configFile}).\n` : "Not logged in.\n");
  return 0;
});

export const loginCommand = (argv: string[], io: CliIO) => login.run(argv, io);
export const logoutCommand = (argv: string[], io: CliIO) => logout.run(argv, io);
