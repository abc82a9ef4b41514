// `inlet automation deliveries ID`: an automation's delivery log, newest first, over the REST API.
// Mounted as a subcommand of `inlet automation` (automation.ts).
import { CLIENT_HELP, CLIENT_OPTIONS, jsonOutput, str, subcommand } from "./args.ts";
import { ApiError, clientFor } from "./client.ts";
import { CliError, UsageError } from "./io.ts";
import { json, oneLine, table } from "./output.ts";

export const DELIVERIES_HELP = `Usage: inlet automation deliveries AUTOMATION_ID [options]

Shows the automation's deliveries, newest first: each action sent, its status and its last attempt.

Options:
  --limit N            how many (default 50, at most 200)
  --page TOKEN         the next page (its token is printed under a full page)
  -o, --output json    print JSON instead of a table
${CLIENT_HELP}
  -h, --help           show this help
`;

interface DeliveryView {
  id: string;
  action_index: number;
  action_type: string;
  destination_id: string | null;
  status: string;
  reason: string | null;
  next_attempt: string | null;
  created: string;
  attempts: { at: string; status_code: number | null; duration_ms: number; error: string | null }[];
}

const LAST_COLUMN_WIDTH = 60;

function lastAttempt(d: DeliveryView): string {
  const last = d.attempts.at(-1);
  if (!last) return d.reason ?? "";
  const what = last.error ?? (last.status_code === null ? "ok" : `HTTP ${last.status_code}`);
  return oneLine(`${what} (${last.duration_ms} ms)${d.status === "failed" && d.reason ? `: ${d.reason}` : ""}`, LAST_COLUMN_WIDTH);
}

export const AUTOMATION_DELIVERIES_COMMAND = subcommand(
  {
    help: DELIVERIES_HELP,
    options: { limit: { type: "string" }, page: { type: "string" }, output: { type: "string", short: "o" }, ...CLIENT_OPTIONS },
    args: ["AUTOMATION_ID"],
  },
  async ([id], v, io) => {
    const asJson = jsonOutput(str(v, "output"), DELIVERIES_HELP);
    const limit = str(v, "limit");
    if (limit !== undefined && !/^\d+$/.test(limit))
      throw new UsageError(`--limit must be a whole number, got "${limit}"`, DELIVERIES_HELP);
    const query = new URLSearchParams();
    if (limit) query.set("limit", limit);
    if (str(v, "page")) query.set("page", str(v, "page")!);
    const client = clientFor({ url: str(v, "url"), "api-key": str(v, "api-key") }, io.env);
    let page: { deliveries: DeliveryView[]; next_page: string | null };
    try {
      page = await client.request("GET", `/api/automations/${encodeURIComponent(id!)}/deliveries${query.size ? `?${query}` : ""}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) throw new CliError(`Invalid options: ${err.message}`);
      throw err;
    }
    if (asJson) {
      io.stdout(json(page));
      return 0;
    }
    if (page.deliveries.length === 0) io.stdout("No deliveries.\n");
    else
      io.stdout(
        table(
          ["delivery id", "created", "action", "status", "attempts", "next attempt", "last attempt"],
          page.deliveries.map((d) => [
            d.id,
            d.created,
            `${d.action_index}: ${d.action_type}`,
            d.status,
            String(d.attempts.length),
            d.next_attempt ?? "",
            lastAttempt(d),
          ]),
        ),
      );
    if (page.next_page) io.stdout(`More: --page ${page.next_page}\n`);
    return 0;
  },
);

/** The function behind `inlet automation deliveries ID`. */
