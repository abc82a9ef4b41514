// HTTP written by hand on a bare TCP socket, for what fetch() will not send as written: a Host header
// of our choosing (a malformed one, none at all), trailers, malformed chunking, a body that stops
// half-way or trickles in, a chosen source address. And a real server to send it to, with its log.
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig, type Config } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { startServer, type RunningServer } from "../../src/server.ts";

export interface RawConnection {
  socket: Socket;
  /** Everything the server sent, once it closed the connection (or the socket failed). */
  closed: Promise<string>;
  /** What the server has sent so far. */
  received(): string;
}

/** Opens a connection to 127.0.0.1:port, from `localAddress` if given (any 127.x.y.z on Linux). */
export function rawConnection(port: number, localAddress?: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, localAddress });
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => void (data += chunk));
    const closed = new Promise<string>((done) => {
      socket.on("close", () => done(data));
    });
    socket.on("error", () => {}); // a reset is a close here
    socket.once("connect", () => resolve({ socket, closed, received: () => data }));
    socket.once("error", reject);
  });
}

/** Sends the bytes as one write and resolves to the whole answer once the server closes (ask it to with `Connection: close`). */
export async function rawExchange(port: number, request: string): Promise<string> {
  const conn = await rawConnection(port);
  conn.socket.write(request);
  return await conn.closed;
}

/** The status code of the first response in what a server sent, or null if it sent none. */
export function statusOf(answer: string): number | null {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  return m ? Number(m[1]) : null;
}

export interface LoggedServer {
  server: RunningServer;
  port: number;
  lines: string[];
  stop(): Promise<void>;
}

/** A real server on a free loopback port, with a fresh data directory and its log kept in `lines`. */
export async function startLoggedServer(config: Partial<Config> = {}): Promise<LoggedServer> {
  const dir = mkdtempSync(join(tmpdir(), "inlet-raw-"));
  const lines: string[] = [];
  const base = resolveConfig({ host: "127.0.0.1", port: "0", "data-dir": dir }, {});
  const server = await startServer(
    { ...base, ...config },
    createLogger("debug", (l) => lines.push(l)),
  );
  return {
    server,
    port: Number(new URL(server.url).port),
    lines,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  /** Header names lowercased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

/** Sends the request (which should say `Connection: close`) and parses the answer. */
export async function rawRequest(port: number, text: string): Promise<RawResponse> {
  const received = await rawExchange(port, text);
  const split = received.indexOf("\r\n\r\n");
  const [statusLine = "", ...lines] = received.slice(0, split === -1 ? undefined : split).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: split === -1 ? "" : received.slice(split + 4) };
}

/** A request head (and body) as a client would write it; `Connection: close` is added. */
export function rawHead(method: string, target: string, headers: Record<string, string>, body = "", version = "HTTP/1.1"): string {
  const lines = [`${method} ${target} ${version}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  lines.push("Connection: close");
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}
