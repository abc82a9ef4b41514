// The flags of `inlet webhook create|update` for senders that sign (--verify, --secret-file,
// --signature-header, --dedup-key) and the output of `inlet webhook replay`.
import type { ReplayResult } from "../replay/replay.ts";
import { str, type Values } from "./args.ts";
import { CliError, readInputFile, type CliIO } from "./io.ts";
import { table } from "./output.ts";

export const SIGNING_OPTIONS = {
  verify: { type: "string" },
  "secret-file": { type: "string" },
  "signature-header": { type: "string" },
  "dedup-key": { type: "string" },
} as const;

export const SIGNING_HELP = [
  "  --verify SCHEME      check the sender's signature: github, gitlab, stripe, slack, shopify,\n                       standard-webhooks or hmac (none removes it, on update)",
  "  --secret-file FILE   the signing secret(s), one a line (up to 3, for a rotation); - reads stdin",
  "  --signature-header H the header holding an hmac signature (sha256, hex)",
  "  --dedup-key EXPR     a template expression naming a redelivery, e.g. {{ headers['x-github-delivery'] }}",
];

/** The API fields the signing flags ask for; empty when none was given. */
export async function signingFields(io: CliIO, v: Values): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = {};
  const dedupKey = str(v, "dedup-key");
  if (dedupKey !== undefined) fields.dedup_key = dedupKey || null;
  const scheme = str(v, "verify");
  const secretFile = str(v, "secret-file");
  if (scheme === undefined) {
    if (secretFile !== undefined || str(v, "signature-header") !== undefined)
      throw new CliError("--secret-file and --signature-header go with --verify");
    return fields;
  }
  if (scheme === "none") {
    fields.verification = null;
    return fields;
  }
  if (secretFile === undefined) throw new CliError("--verify needs --secret-file (secrets are never given on the command line)");
  const secrets = (await readInputFile(io, secretFile, "the secret"))
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const verification: Record<string, unknown> = { scheme, secrets };
  const header = str(v, "signature-header");
  if (header !== undefined) verification.header = header;
  fields.verification = verification;
  return fields;
}

export function renderReplay(results: ReplayResult[], dryRun: boolean, more: boolean): string {
  if (results.length === 0) return "No failures to replay.\n";
  const counts = { stored: 0, failed: 0, skipped: 0 };
  for (const r of results) counts[r.status]++;
  const rows = results.map((r) => [r.failure_event_id, r.status, r.event_id ?? r.error ?? ""]);
  const verb = dryRun ? "Would store" : "Stored";
  const summary = `${verb} ${counts.stored}, failed ${counts.failed}, skipped ${counts.skipped}.${dryRun ? " (dry run: nothing stored)" : ""}`;
  const rest = more ? "\nMore failures are in the range: run again with a later --since." : "";
  return `${table(["failure event", "status", "event or reason"], rows)}${summary}${rest}\n`;
}
