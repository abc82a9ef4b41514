// `inlet template render`: runs a template on a sample request offline, through the same
// pipeline as ingestion, so a template can be written before its webhook exists.
import { renderSample } from "../ingest/pipeline.ts";
import { dispatch, list, str, subcommand } from "./args.ts";
import { CliError, readInputFile, UsageError, type CliIO } from "./io.ts";
import { json } from "./output.ts";

export const TEMPLATE_USAGE = `Usage: inlet template <command> [options]

Commands:
  render -t FILE    render a template on a sample request, offline

Run "inlet template render --help" for its options.
`;

export const RENDER_USAGE = `Usage: inlet template render -t FILE [options]

Renders a template on a sample request exactly as a webhook would (offline: no server needed) and
prints the rendered text and the resulting event, or the error and its line (exit 1).

Options:
  -t, --template FILE  the template file ("-" reads standard input)
  --method M           the request method (default POST)
  --header 'K: V'      a request header (repeatable)
  --body TEXT          the request body
  --body-file F        the request body from a file ("-" reads standard input)
  --query k=v          a query-string parameter (repeatable)
  --name NAME          the webhook name the event names as related resource (default playground)
  -o, --output json    print {rendered, event, error} as JSON
  -h, --help           show this help
`;

function headerPairs(raw: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of raw) {
    const colon = h.indexOf(":");
    if (colon <= 0) throw new UsageError(`--header must look like 'Name: value', got "${h}"`, RENDER_USAGE);
    headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
  }
  return headers;
}

function queryPairs(raw: string[]): Record<string, string> {
  const query: Record<string, string> = {};
  for (const q of raw) {
    const eq = q.indexOf("=");
    if (eq <= 0) throw new UsageError(`--query must look like 'key=value', got "${q}"`, RENDER_USAGE);
    query[q.slice(0, eq)] = q.slice(eq + 1); // the last value wins, as for a real query string
  }
  return query;
}

const render = subcommand(
  {
    help: RENDER_USAGE,
    options: {
      template: { type: "string", short: "t" },
      method: { type: "string" },
      header: { type: "string", multiple: true },
      body: { type: "string" },
      "body-file": { type: "string" },
      query: { type: "string", multiple: true },
      name: { type: "string" },
      output: { type: "string", short: "o" },
    },
    args: [],
  },
  async (_a, v, io) => {
    const file = str(v, "template");
    if (file === undefined) throw new UsageError("missing -t FILE", RENDER_USAGE);
    if (str(v, "body") !== undefined && str(v, "body-file") !== undefined)
      throw new UsageError("give --body or --body-file, not both", RENDER_USAGE);
    if (str(v, "output") !== undefined && str(v, "output") !== "json")
      throw new UsageError("Only 'json' output format is supported.", RENDER_USAGE);
    const method = (str(v, "method") ?? "POST").toUpperCase();
    if (!/^[A-Z]+$/.test(method)) throw new UsageError(`--method must be an HTTP method, got "${str(v, "method")}"`, RENDER_USAGE);
    const headers = headerPairs(list(v, "header"));
    const query = queryPairs(list(v, "query"));
    // `-t @file` works too, as it does for `inlet webhook create`.
    const template = await readInputFile(io, file.startsWith("@") ? file.slice(1) : file, "the template");
    const bodyFile = str(v, "body-file");
    const body = bodyFile !== undefined ? await readInputFile(io, bodyFile, "the body") : (str(v, "body") ?? "");

    const webhook = { id: "00000000-0000-0000-0000-000000000000", name: str(v, "name") ?? "playground" };
    const result = renderSample(template, { method, headers, body, query }, { webhook });
    if (str(v, "output") === "json") {
      io.stdout(json(result));
      return result.error ? 1 : 0;
    }
    if (result.rendered !== null) io.stdout(`Rendered:\n${result.rendered}${result.rendered.endsWith("\n") ? "" : "\n"}`);
    if (result.error) {
      const where =
        result.error.line !== null && !/\bline \d+/.test(result.error.message)
          ? ` (line ${result.error.line}${result.error.reason === "invalid_json" ? " of the rendered text" : ""})`
          : "";
      throw new CliError(`${result.error.reason}: ${result.error.message}${where}`);
    }
    io.stdout(`\nEvent:\n${json(result.event)}`);
    return 0;
  },
);

export async function templateCommand(argv: string[], io: CliIO): Promise<number> {
  return await dispatch(argv, io, TEMPLATE_USAGE, { render });
}
