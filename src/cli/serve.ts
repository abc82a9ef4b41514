import { ConfigError, resolveConfig, type ServeFlags } from "../config.ts";
import { serveUntilSignal } from "../server.ts";
import { parse } from "./args.ts";
import { UsageError, type CliIO } from "./io.ts";

export const SERVE_USAGE = `Usage: inlet serve [options]

Runs the webhook receiver, the REST API, the live feed and the admin UI.

Options:
  --host HOST              address to listen on        (env INLET_HOST, default 127.0.0.1)
  --port PORT              port to listen on           (env INLET_PORT, default 4280)
  --data-dir DIR           where inlet.db lives        (env INLET_DATA_DIR, default ./inlet-data)
  --base-url URL           public URL for hook links   (env INLET_BASE_URL, default http://HOST:PORT)
  --max-body-bytes N       largest accepted body       (env INLET_MAX_BODY_BYTES, default 1048576)
  --retention-days N       days events are kept        (env INLET_RETENTION_DAYS, default 30)
  --raw-retention-days N   days the request behind each hook event is kept; 0: not kept
                           (env INLET_RAW_RETENTION_DAYS, default 7)
  --log-level LEVEL        debug|info|warn|error|silent (env INLET_LOG_LEVEL, default info)
  --log-format FORMAT      text, or json: one object per line (env INLET_LOG_FORMAT, default text)
  --allowed-hosts NAMES    more host names to answer for, comma-separated
                           (env INLET_ALLOWED_HOSTS; always: the base URL's host and loopback)
  --body-timeout-ms N      time a request body may take to arrive, then 408
                           (env INLET_BODY_TIMEOUT_MS, default 15000)
  --max-requests-per-address N
                           requests in progress from one address, then 429; 0: no cap
                           (env INLET_MAX_REQUESTS_PER_ADDRESS, default 256)
  -h, --help               show this help
`;

export async function serveCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      host: { type: "string" },
      port: { type: "string" },
      "data-dir": { type: "string" },
      "base-url": { type: "string" },
      "max-body-bytes": { type: "string" },
      "retention-days": { type: "string" },
      "raw-retention-days": { type: "string" },
      "log-level": { type: "string" },
      "log-format": { type: "string" },
      "allowed-hosts": { type: "string" },
      "body-timeout-ms": { type: "string" },
      "max-requests-per-address": { type: "string" },
    },
    SERVE_USAGE,
  );
  if (values.help) {
    io.stdout(SERVE_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, SERVE_USAGE);
  let config;
  try {
    config = resolveConfig(values as ServeFlags, io.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message, SERVE_USAGE);
    throw err;
  }
  return await serveUntilSignal(config);
}
