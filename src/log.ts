// A small levelled logger writing one line per record to stderr (stdout stays for CLI output):
// text for people, or one JSON object per line for a log shipper (`--log-format json`).
import type { LogFormat, LogLevel } from "./config.ts";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

function format(level: string, msg: string, fields?: Record<string, unknown>): string {
  let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}`;
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      const text = v instanceof Error ? (v.stack ?? v.message) : typeof v === "string" ? v : JSON.stringify(v);
      line += ` ${k}=${/\s/.test(text) && !(v instanceof Error) ? JSON.stringify(text) : text}`;
    }
  }
  return line;
}

/** `{"time", "level", "msg", …fields}`; an error becomes its stack (or message). */
function formatJson(level: string, msg: string, fields?: Record<string, unknown>): string {
  const record: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined || k in record) continue;
      record[k] = v instanceof Error ? (v.stack ?? v.message) : v;
    }
  }
  try {
    return JSON.stringify(record);
  } catch {
    // A field JSON cannot hold (a cycle, a BigInt): the line still goes out, with the fields as text.
    return JSON.stringify({ time: record.time, level, msg, fields: String(fields) });
  }
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  logFormat: LogFormat = "text",
): Logger {
  const min = ORDER[level];
  const render = logFormat === "json" ? formatJson : format;
  const at = (lvl: Exclude<LogLevel, "silent">) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] >= min) write(render(lvl, msg, fields));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export const silentLogger: Logger = createLogger("silent");
