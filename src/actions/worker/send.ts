// One attempt on the wire: an HTTP request (no redirects followed, a deadline, the answer read up
// to a cap) or an email through nodemailer. Neither throws: every outcome is an Attempt, recorded
// as it is. Error texts are ours, never a secret URL or a password.
import { isIP } from "node:net";
import nodemailer from "nodemailer";
import type { EmailMessage, HttpRequest, Outgoing } from "../destinations/format.ts";
import { checkedAddresses, RefusedAddress, type Resolver } from "./address.ts";
import { parseRetryAfter } from "./schedule.ts";

/** How much of an answer the log keeps. */
export const RESPONSE_CHARS = 1000;
/** How much of an answer is read at most; the rest is not waited for. */
export const RESPONSE_READ_BYTES = 64 * 1024;

export interface Attempt {
  ok: boolean;
  statusCode: number | null;
  /** The first RESPONSE_CHARS characters of the answer. */
  response: string | null;
  error: string | null;
  durationMs: number;
  retryAfterMs: number | null;
  /** Given up at once: the receiver said 410 Gone, or the address is refused. */
  final: "gone" | "refused" | null;
}

export interface SendOptions {
  timeoutMs: number;
  resolve: Resolver;
  now: () => number;
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_READ_BYTES) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, RESPONSE_READ_BYTES)).slice(0, RESPONSE_CHARS);
}

const failed = (started: number, error: string, final: Attempt["final"] = null): Attempt => ({
  ok: false,
  statusCode: null,
  response: null,
  error,
  durationMs: Math.round(performance.now() - started),
  retryAfterMs: null,
  final,
});

/**
 * A plain-http request goes to the address that was checked, with the name in Host, so that a
 * second resolution cannot lead elsewhere; an https one goes by name (its certificate must match)
 * right after the check.
 */
function pinned(url: URL, address: string): { target: string; host: string | null } {
  if (url.protocol !== "http:" || isIP(url.hostname.replace(/^\[|\]$/g, ""))) return { target: url.href, host: null };
  const copy = new URL(url.href);
  copy.hostname = isIP(address) === 6 ? `[${address}]` : address;
  return { target: copy.href, host: url.host };
}

export async function sendHttp(request: HttpRequest, opts: SendOptions): Promise<Attempt> {
  const started = performance.now();
  const url = new URL(request.url);
  let addresses: string[];
  try {
    addresses = await checkedAddresses(url.hostname, opts.resolve);
  } catch (error) {
    if (error instanceof RefusedAddress) return failed(started, error.message, "refused");
    return failed(started, `could not resolve ${url.hostname}`);
  }
  const { target, host } = pinned(url, addresses[0]!);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
  try {
    const response = await fetch(target, {
      method: request.method,
      headers: host ? { ...request.headers, host } : request.headers,
      body: request.body,
      redirect: "manual",
      signal: abort.signal,
    });
    const text = await readCapped(response);
    const status = response.status;
    const durationMs = Math.round(performance.now() - started);
    const base = {
      statusCode: status,
      response: text,
      durationMs,
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), opts.now()),
    };
    if (status >= 200 && status < 300) return { ...base, ok: true, error: null, final: null };
    if (status >= 300 && status < 400) return { ...base, ok: false, error: `redirect (${status}) not followed`, final: null };
    if (status === 410) return { ...base, ok: false, error: "410 Gone: the receiver asked not to be sent to again", final: "gone" };
    return { ...base, ok: false, error: `HTTP ${status}`, final: null };
  } catch {
    if (abort.signal.aborted) return failed(started, `no answer within ${opts.timeoutMs} ms`);
    return failed(started, `could not connect to ${url.host}`);
  } finally {
    clearTimeout(timer);
  }
}

export async function sendEmail(message: EmailMessage, opts: SendOptions): Promise<Attempt> {
  const started = performance.now();
  let addresses: string[];
  try {
    addresses = await checkedAddresses(message.host, opts.resolve);
  } catch (error) {
    if (error instanceof RefusedAddress) return failed(started, error.message, "refused");
    return failed(started, `could not resolve ${message.host}`);
  }
  const transport = nodemailer.createTransport({
    host: addresses[0],
    port: message.port,
    secure: message.security === "tls",
    requireTLS: message.security === "starttls",
    ignoreTLS: message.security === "none",
    // The certificate is checked against the name, not the address connected to.
    tls: { servername: isIP(message.host) ? undefined : message.host },
    auth: message.user ? { user: message.user, pass: message.password ?? "" } : undefined,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  });
  try {
    const info = await transport.sendMail({ from: message.from, to: message.to, subject: message.subject, text: message.text });
    return {
      ok: true,
      statusCode: null,
      response: String(info.response ?? "").slice(0, RESPONSE_CHARS),
      error: null,
      durationMs: Math.round(performance.now() - started),
      retryAfterMs: null,
      final: null,
    };
  } catch (error) {
    const e = error as { responseCode?: number; code?: string; response?: string };
    const why = e.responseCode ? `SMTP ${e.responseCode}` : `SMTP ${e.code ?? "error"}`;
    return { ...failed(started, why), response: e.response ? String(e.response).slice(0, RESPONSE_CHARS) : null };
  } finally {
    transport.close();
  }
}

export function send(outgoing: Outgoing, opts: SendOptions): Promise<Attempt> {
  return outgoing.kind === "http" ? sendHttp(outgoing, opts) : sendEmail(outgoing, opts);
}
