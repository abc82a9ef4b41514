// `inlet events ls | tail`: Prefect's events API from the terminal.
import type { Event } from "../events/model.ts";
import { CLIENT_HELP, CLIENT_OPTIONS, dispatch, list, str, subcommand, type Values } from "./args.ts";
import { clientFor, type ApiClient } from "./client.ts";
import { nextPagePath, PAGE_SIZE, tailEvents, type EventPage } from "./events-tail.ts";
import { UsageError, type CliIO } from "./io.ts";
import { table } from "./output.ts";

export const EVENTS_USAGE = `Usage: inlet events <command> [options]

Commands:
  ls      list stored events, newest first
  tail    print events as they arrive, until interrupted

Run "inlet events <command> --help" for a command's options.
`;

export const DEFAULT_LS_LIMIT = 50;
export const MAX_LS_LIMIT = 10_000;

const FILTER_HELP = `  --event PREFIX       events whose name starts with PREFIX (repeatable)
  --resource ID        events about this resource; ID* matches a prefix (repeatable)
  --related ID         events with this related resource (repeatable)`;
const SINCE_HELP = `  --since TIME         from TIME: ISO-8601 (2026-01-02T03:04:05Z) or an age (30s, 15m, 1h, 2d, 1w)`;

export const LS_USAGE = `Usage: inlet events ls [options]

Lists stored events, newest first.

Options:
${FILTER_HELP}
${SINCE_HELP}
  --until TIME         up to TIME (same forms)
  --limit N            at most N events (default ${DEFAULT_LS_LIMIT}, up to ${MAX_LS_LIMIT})
  --order asc|desc     oldest or newest first (default desc)
  -o, --output json    one JSON event per line (NDJSON)
${CLIENT_HELP}
  -h, --help           show this help
`;

export const TAIL_USAGE = `Usage: inlet events tail [options]

Prints events as they are stored, one line each, until interrupted (Ctrl-C). Uses the live feed
(WS /api/events/out) and falls back to polling the events API every 2 s when it is not offered.

Options:
${FILTER_HELP}
${SINCE_HELP}
                       (default 1m: the last minute's events first)
  -o, --output json    one JSON event per line (NDJSON)
${CLIENT_HELP}
  -h, --help           show this help
`;

const FILTER_OPTIONS = {
  event: { type: "string", multiple: true },
  resource: { type: "string", multiple: true },
  related: { type: "string", multiple: true },
  since: { type: "string" },
  until: { type: "string" },
} as const;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** ISO-8601 or an age such as 15m/2d, as an ISO timestamp. */
export function parseTime(raw: string, flag: string, now: number, usage: string): string {
  const age = /^(\d+)\s*([smhdw])$/i.exec(raw.trim());
  if (age) return new Date(now - Number(age[1]) * UNITS[age[2]!.toLowerCase()]!).toISOString();
  if (raw.trim() === "now") return new Date(now).toISOString();
  const ms = /^\d{4}-\d{2}-\d{2}/.test(raw.trim()) ? Date.parse(raw.trim()) : NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${flag} must be an ISO-8601 time or an age like 15m, 1h, 2d; got "${raw}"`, usage);
  return new Date(ms).toISOString();
}

/** Prefect's EventFilter from the flags. */
export function buildFilter(v: Values, now: number, usage: string): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  const occurred: Record<string, string> = {};
  if (str(v, "since") !== undefined) occurred.since = parseTime(str(v, "since")!, "--since", now, usage);
  if (str(v, "until") !== undefined) occurred.until = parseTime(str(v, "until")!, "--until", now, usage);
  if (Object.keys(occurred).length > 0) filter.occurred = occurred;
  if (list(v, "event").length > 0) filter.event = { prefix: list(v, "event") };
  const resources = list(v, "resource");
  if (resources.length > 0) {
    const prefixes = resources.filter((r) => r.endsWith("*")).map((r) => r.slice(0, -1));
    const ids = resources.filter((r) => !r.endsWith("*"));
    // Two lists in one resource filter would be ANDed; a mix of exact ids and prefixes is ambiguous.
    if (prefixes.length > 0 && ids.length > 0) throw new UsageError("--resource: give either exact ids or prefixes (ID*), not both", usage);
    filter.resource = prefixes.length > 0 ? { id_prefix: prefixes } : { id: ids };
  }
  if (list(v, "related").length > 0) filter.related = { id: list(v, "related") };
  return filter;
}

/** One line per event: when, what, about what, and its id. */
export function eventLine(e: Event): string {
  return `${e.occurred}  ${e.event}  ${e.resource["prefect.resource.id"] ?? ""}  ${e.id}\n`;
}

function positiveInt(raw: string | undefined, flag: string, fallback: number, max: number, usage: string): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, got "${raw}"`, usage);
  return Number(raw);
}

async function listEvents(client: ApiClient, filter: Record<string, unknown>, limit: number): Promise<{ events: Event[]; total: number }> {
  let page = await client.request<EventPage>("POST", "/api/events/filter", { filter, limit: Math.min(limit, PAGE_SIZE) });
  const events = [...page.events];
  while (events.length < limit && page.next_page) {
    page = await client.request<EventPage>("GET", nextPagePath(page.next_page));
    events.push(...page.events);
  }
  return { events: events.slice(0, limit), total: page.total };
}

const connection = (v: Values) => ({ url: str(v, "url"), "api-key": str(v, "api-key") });

const ls = subcommand(
  {
    help: LS_USAGE,
    options: {
      ...FILTER_OPTIONS,
      limit: { type: "string" },
      order: { type: "string" },
      output: { type: "string", short: "o" },
      ...CLIENT_OPTIONS,
    },
    args: [],
  },
  async (_a, v, io) => {
    if (str(v, "output") !== undefined && str(v, "output") !== "json")
      throw new UsageError("Only 'json' output format is supported.", LS_USAGE);
    const limit = positiveInt(str(v, "limit"), "--limit", DEFAULT_LS_LIMIT, MAX_LS_LIMIT, LS_USAGE);
    const order = (str(v, "order") ?? "desc").toUpperCase();
    if (order !== "ASC" && order !== "DESC") throw new UsageError(`--order must be asc or desc, got "${str(v, "order")}"`, LS_USAGE);
    const filter = { ...buildFilter(v, Date.now(), LS_USAGE), order };
    const { events, total } = await listEvents(clientFor(connection(v), io.env), filter, limit);
    if (str(v, "output") === "json") {
      io.stdout(events.map((e) => `${JSON.stringify(e)}\n`).join(""));
      return 0;
    }
    if (events.length === 0) {
      io.stdout("No events found.\n");
      return 0;
    }
    io.stdout(
      table(
        ["occurred", "event", "resource", "id"],
        events.map((e) => [e.occurred, e.event, e.resource["prefect.resource.id"] ?? "", e.id]),
      ),
    );
    if (total > events.length) io.stderr(`Showing ${events.length} of ${total} events; use --limit or filters to see others.\n`);
    return 0;
  },
);

const tail = subcommand(
  {
    help: TAIL_USAGE,
    options: { ...FILTER_OPTIONS, output: { type: "string", short: "o" }, ...CLIENT_OPTIONS },
    args: [],
  },
  async (_a, v, io) => {
    if (str(v, "output") !== undefined && str(v, "output") !== "json")
      throw new UsageError("Only 'json' output format is supported.", TAIL_USAGE);
    if (str(v, "until") !== undefined) throw new UsageError("--until does not apply to tail (use `inlet events ls`)", TAIL_USAGE);
    const now = Date.now();
    const filter = buildFilter({ ...v, since: str(v, "since") ?? "1m" }, now, TAIL_USAGE);
    // The server's default `until` is "now", which no later event would match (Prefect's subscriber does the same).
    (filter.occurred as Record<string, string>).until = new Date(now + 365 * 86_400_000).toISOString();
    const asJson = str(v, "output") === "json";
    await tailEvents(clientFor(connection(v), io.env), filter, {
      signal: io.signal,
      onEvent: (e) => io.stdout(asJson ? `${JSON.stringify(e)}\n` : eventLine(e)),
      onNotice: (text) => io.stderr(`${text}\n`),
    });
    return 0;
  },
);

export async function eventsCommand(argv: string[], io: CliIO): Promise<number> {
  return await dispatch(argv, io, EVENTS_USAGE, { ls, tail });
}
