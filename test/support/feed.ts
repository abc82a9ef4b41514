// Helpers for the live feed tests: a real server on a loopback port, websocket and event-stream
// clients that record what they receive, and waiting on conditions (never on the clock).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig, type Config } from "../../src/config.ts";
import type { AppContext } from "../../src/context.ts";
import type { Event } from "../../src/events/model.ts";
import { silentLogger } from "../../src/log.ts";
import { startServer } from "../../src/server.ts";
import { waitUntil } from "./wait.ts";

export interface FeedServer {
  url: string;
  wsUrl: string;
  ctx: AppContext;
  adminKey: string;
  api(method: string, path: string, body?: unknown, key?: string): Promise<Response>;
  /** Creates a webhook with this template and returns its URL and id. */
  webhook(template: string, name?: string): Promise<{ id: string; url: string }>;
  storedIds(where?: (e: Event) => boolean): string[];
  stop(): Promise<void>;
}

export async function startFeedServer(config: Partial<Config> = {}): Promise<FeedServer> {
  const dir = mkdtempSync(join(tmpdir(), "inlet-feed-"));
  const running = await startServer({ ...resolveConfig({ "data-dir": dir }, {}), host: "127.0.0.1", port: 0, ...config }, silentLogger);
  const adminKey = running.ctx.serviceAccounts.create("feed-test-admin", "admin").api_key;
  const api = (method: string, path: string, body?: unknown, key = adminKey) =>
    fetch(`${running.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    url: running.url,
    wsUrl: `${running.url.replace(/^http/, "ws")}/api/events/out`,
    ctx: running.ctx,
    adminKey,
    api,
    async webhook(template, name = "feed hook") {
      const res = await api("POST", "/api/webhooks/", { name, template });
      if (res.status !== 201) throw new Error(`create webhook: ${res.status} ${await res.text()}`);
      const w = (await res.json()) as { id: string; slug: string };
      return { id: w.id, url: `${running.url}/hooks/${w.slug}` };
    },
    storedIds(where = () => true) {
      const rows = running.ctx.db.$client.query("SELECT data FROM events ORDER BY seq").all() as { data: string }[];
      return rows
        .map((r) => JSON.parse(r.data) as Event)
        .filter(where)
        .map((e) => e.id);
    },
    async stop() {
      // Ends the feeds first, as stop() itself does, so that no open feed keeps it waiting.
      running.ctx.feed.close();
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type FeedMessage = { type: string; event?: Event };

/** A Prefect-protocol websocket client that records every message and how the socket closed. */
export class FeedClient {
  readonly messages: FeedMessage[] = [];
  readonly ws: WebSocket;
  closed: { code: number; reason: string } | null = null;
  pings = 0;
  private readonly opened: Promise<void>;

  constructor(url: string, headers?: Record<string, string>) {
    this.ws = new WebSocket(url, { protocols: ["prefect"], headers } as unknown as string[]);
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = (e) => reject(new Error(`websocket error: ${(e as ErrorEvent).message}`));
    });
    this.ws.onmessage = (e) => this.messages.push(JSON.parse(String(e.data)));
    this.ws.onclose = (e) => void (this.closed = { code: e.code, reason: e.reason });
    this.ws.addEventListener("ping", () => this.pings++);
  }

  /** Connects, authenticates and subscribes; resolves once the server has the subscription. */
  static async subscribe(
    server: FeedServer,
    filter: unknown,
    opts: { backfill?: boolean; token?: string | null } = {},
  ): Promise<FeedClient> {
    const client = new FeedClient(server.wsUrl);
    await client.auth(opts.token === undefined ? server.adminKey : opts.token);
    const before = server.ctx.feed.size;
    client.send({ type: "filter", filter, ...(opts.backfill === undefined ? {} : { backfill: opts.backfill }) });
    await waitUntil(() => server.ctx.feed.size > before || client.closed !== null, "the subscription");
    return client;
  }

  async auth(token: string | null): Promise<void> {
    await this.opened;
    this.send({ type: "auth", token });
    await waitUntil(() => this.messages.length > 0 || this.closed !== null, "the auth answer");
    if (this.messages[0]?.type !== "auth_success") throw new Error(`auth failed: ${JSON.stringify(this.closed)}`);
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  events(): Event[] {
    return this.messages.filter((m) => m.type === "event").map((m) => m.event!);
  }

  ids(): string[] {
    return this.events().map((e) => e.id);
  }

  async waitForClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    await waitUntil(() => this.closed !== null, "the socket to close", timeoutMs);
    return this.closed!;
  }
}

/** Reads a text/event-stream response into frames as they arrive. */
export class SseClient {
  readonly frames: { id?: string; event?: string; data?: string; comment?: string }[] = [];
  done = false;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(readonly response: Response) {
    this.reader = response.body!.getReader();
    void this.pump();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame: SseClient["frames"][number] = {};
          for (const line of buffer.slice(0, end).split("\n")) {
            if (line.startsWith(":")) frame.comment = line.slice(1).trim();
            const m = /^(id|event|data): (.*)$/.exec(line);
            if (m) frame[m[1] as "id" | "event" | "data"] = m[2];
          }
          this.frames.push(frame);
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {}
    this.done = true;
  }

  events(): Event[] {
    return this.frames.filter((f) => f.id !== undefined).map((f) => JSON.parse(f.data!) as Event);
  }

  close(): Promise<void> {
    return this.reader.cancel();
  }
}

/** Sends `count` requests through `send` with at most `concurrency` in flight; returns their statuses. */
export async function burst(count: number, concurrency: number, send: (n: number) => Promise<Response>): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const res = await send(n);
      await res.arrayBuffer();
      statuses[n] = res.status;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

export const postJson = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
