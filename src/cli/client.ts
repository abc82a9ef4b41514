// The CLI's HTTP client for the REST API. Where to connect: --url/--api-key flags, then
// INLET_API_URL/INLET_API_KEY, then the config file `inlet login` writes.
import { parseJsonExact } from "../json.ts";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DEFAULT_HOST, DEFAULT_PORT, clientEnv, type Env } from "../config.ts";
import { CliError, UsageError } from "./io.ts";

export const DEFAULT_API_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
export const REQUEST_TIMEOUT_MS = 30_000;
export const NOT_AUTHENTICATED = "Not authenticated: run `inlet login --url URL --api-key KEY`";

export interface StoredLogin {
  url: string;
  api_key: string;
}

export function readLogin(path: string): StoredLogin | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  try {
    const data = JSON.parse(text) as Partial<StoredLogin>;
    if (typeof data.url === "string" && typeof data.api_key === "string") return { url: data.url, api_key: data.api_key };
  } catch {
    // fall through
  }
  throw new CliError(`The config file ${path} is not valid; run \`inlet login\` again`);
}

/** Writes the config file readable by its owner only (it holds an admin key). */
export function writeLogin(path: string, login: StoredLogin): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function removeLogin(path: string): boolean {
  try {
    readFileSync(path);
  } catch {
    return false;
  }
  rmSync(path, { force: true });
  return true;
}

export function normalizeUrl(raw: string, source: string): string {
  const url = raw.trim().replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/i.test(url) || !URL.canParse(url)) {
    throw new (source === "--url" ? UsageError : CliError)(`${source} must be an http(s) URL, got "${raw}"`);
  }
  return url;
}

export interface Connection {
  url: string;
  apiKey: string | null;
}

/**
 * Flags > environment > config file. The stored key is only sent to the server it was stored
 * for, so that `--url` pointing elsewhere never leaks it.
 */
export function resolveConnection(flags: { url?: string; "api-key"?: string }, env: Env): Connection {
  const client = clientEnv(env);
  const stored = readLogin(client.configFile);
  const explicit =
    flags.url !== undefined
      ? normalizeUrl(flags.url, "--url")
      : client.apiUrl !== undefined
        ? normalizeUrl(client.apiUrl, "INLET_API_URL")
        : null;
  const storedUrl = stored ? normalizeUrl(stored.url, `the url in ${client.configFile}`) : null;
  const url = explicit ?? storedUrl ?? DEFAULT_API_URL;
  const apiKey = flags["api-key"] ?? client.apiKey ?? (stored && storedUrl === url ? stored.api_key : null);
  return { url, apiKey: apiKey || null };
}

/** An error response of the API: its status, code and message. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function reachReason(err: unknown): string {
  const e = err as { code?: string; name?: string; message?: string };
  if (e?.name === "TimeoutError") return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  switch (e?.code) {
    case "ECONNREFUSED":
    case "ConnectionRefused":
      return "connection refused";
    case "ENOTFOUND":
      return "host not found";
    case "ECONNRESET":
      return "connection reset";
  }
  return e?.message ?? String(err);
}

export class ApiClient {
  constructor(
    readonly conn: Connection,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get url(): string {
    return this.conn.url;
  }

  /** Sends a request; returns the parsed JSON body (undefined for 204). Failures become one-line CliErrors. */
  async request<T = unknown>(method: string, path: string, body?: unknown, opts: { auth?: boolean } = {}): Promise<T> {
    const auth = opts.auth ?? true;
    if (auth && !this.conn.apiKey) throw new CliError(NOT_AUTHENTICATED);
    const headers: Record<string, string> = { accept: "application/json" };
    if (auth) headers.authorization = `Bearer ${this.conn.apiKey}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.conn.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new CliError(`Could not reach Inlet at ${this.conn.url}: ${reachReason(err)}`);
    }
    const text = await response.text().catch(() => "");
    let data: unknown;
    try {
      data = text === "" ? undefined : parseJsonExact(text);
    } catch {
      throw new CliError(`Unexpected answer from ${this.conn.url}${path}: HTTP ${response.status}, not JSON (is this an Inlet server?)`);
    }
    if (response.ok) return data as T;
    const error = (data as { error?: { code?: unknown; message?: unknown; line?: unknown } } | undefined)?.error;
    const code = typeof error?.code === "string" ? error.code : `http_${response.status}`;
    if (response.status === 401) throw new ApiError(401, code, NOT_AUTHENTICATED);
    if (typeof error?.message !== "string") {
      throw new ApiError(
        response.status,
        code,
        `Unexpected answer from ${this.conn.url}${path}: HTTP ${response.status} (is this an Inlet server?)`,
      );
    }
    let line = error.message.replace(/\s*\n\s*/g, " ");
    // Template errors carry the template line separately ({"error": {…, "line"}}).
    if (typeof error.line === "number" && !/\bline \d/.test(line)) line += ` (line ${error.line})`;
    throw new ApiError(
      response.status,
      code,
      response.status >= 500 ? `Inlet at ${this.conn.url} failed: ${line} (HTTP ${response.status})` : line,
    );
  }
}

export function clientFor(flags: { url?: string; "api-key"?: string }, env: Env): ApiClient {
  return new ApiClient(resolveConnection(flags, env));
}
