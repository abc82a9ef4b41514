// A storage floor for bench/ingest.ts: the least a durable webhook server can do per request on
// this machine. It answers 204 only after the event is committed, through Inlet's own group commit
// (GroupCommitWriter), but has no framework, no template and no webhook lookup: the event is built
// by hand from the form body, as the bench's template would build it.
//
//   bun bench/floor-server.ts schema   Inlet's real, migrated database (events, event_resources and
//                                      the indexes the event filters need)
//   bun bench/floor-server.ts append   one table with no index but its rowid: only the durable append
//
// Prints its port on stdout, then serves until killed.
import { Database } from "bun:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureConnection } from "../src/db/connection.ts";
import { openDatabase } from "../src/db/open.ts";
import { EventBus } from "../src/feed/bus.ts";
import { eventJson, toEvent, type Event } from "../src/events/model.ts";
import type { StoredEvent } from "../src/events/store/event-store.ts";
import { InlineCommitter, type Committer } from "../src/events/store/committer.ts";
import { GroupCommitWriter } from "../src/events/store/group-commit.ts";
import { createLogger } from "../src/log.ts";

const mode = process.argv[2];
if (mode !== "schema" && mode !== "append") throw new Error("usage: bun bench/floor-server.ts schema|append");
const path = join(mkdtempSync(join(tmpdir(), "inlet-floor-")), "floor.db");

/** The whole event as one row of one table: what durability alone costs. */
class AppendCommitter implements Committer {
  private readonly client = new Database(path, { create: true, readwrite: true, strict: true });
  private readonly insert;

  constructor() {
    this.client.exec("PRAGMA journal_mode = WAL");
    configureConnection(this.client);
    this.client.exec("CREATE TABLE events (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)");
    this.insert = this.client.prepare<{ seq: number }, [string]>("INSERT INTO events (data) VALUES (?) RETURNING seq");
  }

  async commit(events: Event[]): Promise<StoredEvent[]> {
    const seqs = this.client.transaction(() => events.map((e) => this.insert.get(eventJson(e))!.seq))();
    return events.map((event, i) => ({ seq: seqs[i]!, event }));
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

const committer = mode === "schema" ? new InlineCommitter(openDatabase({ path }).$client) : new AppendCommitter();
const writer = new GroupCommitWriter(committer, new EventBus(), createLogger("error"));
const webhook = {
  "prefect.resource.id": "prefect-cloud.webhook.0190f3b4-3a2b-7cde-8f00-000000000001",
  "prefect.resource.role": "webhook",
  "prefect.resource.name": "bench",
};

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(req) {
    const body = Object.fromEntries(new URLSearchParams(await req.text()));
    const headers = Object.fromEntries(req.headers);
    const event = toEvent(
      {
        event: "model.refreshed",
        resource: {
          "prefect.resource.id": `product.models.${body.model}`,
          "prefect.resource.name": body.friendly_name ?? body.model,
          "producing-team": "Data Science",
        },
        related: [webhook],
        payload: { method: req.method, headers, body },
      },
      { now: Date.now() },
    );
    await writer.write(event);
    return new Response(null, { status: 204 });
  },
});
process.stdout.write(`${server.port}\n`);
