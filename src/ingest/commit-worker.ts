// The commit worker: owns a second connection to the database file and runs group commits, so the
// request thread keeps serving while a transaction's pages are written and fsync'ed.
import { Database } from "bun:sqlite";
import { configureConnection } from "../db/connection.ts";
import { EventRowWriter } from "../events/rows.ts";
import type { FromWorker, ToWorker } from "./committer.ts";

declare const self: Worker;

let client: Database | null = null;
let rows: EventRowWriter | null = null;
const reply = (msg: FromWorker) => self.postMessage(msg);

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  switch (msg.type) {
    case "open":
      client = new Database(msg.path, { readwrite: true, create: false, strict: true });
      configureConnection(client);
      rows = new EventRowWriter(client);
      return reply({ type: "ready" });
    case "commit":
      try {
        const seqs = client!.transaction(() => rows!.insert(msg.rows))();
        return reply({ type: "done", id: msg.id, seqs });
      } catch (err) {
        return reply({ type: "failed", id: msg.id, message: err instanceof Error ? err.message : String(err) });
      }
    case "close":
      client?.close();
      client = null;
      return reply({ type: "closed" });
  }
};
