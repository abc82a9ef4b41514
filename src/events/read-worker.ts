// The read worker (reader.ts): its own connection to the database file, kept from writing
// (query_only), running the events API's reads so that the request thread never waits on one.
import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { configureConnection } from "../db/connection.ts";
import type { Db } from "../db/open.ts";
import * as schema from "../db/schema.ts";
import { enableDeadline } from "./read-deadline.ts";
import { describeFailure, runRead, type FromReadWorker, type ToReadWorker } from "./reader.ts";

declare const self: Worker;

let db: Db | null = null;
let deadline: { set(at: number): void } | null = null;
const reply = (msg: FromReadWorker) => self.postMessage(msg);

self.onmessage = (e: MessageEvent<ToReadWorker>) => {
  const msg = e.data;
  switch (msg.type) {
    case "open": {
      const client = new Database(msg.path, { readwrite: true, create: false, strict: true });
      configureConnection(client);
      client.exec("PRAGMA query_only = ON");
      deadline = enableDeadline(client);
      db = drizzle({ client, schema }) as Db;
      return reply({ type: "ready" });
    }
    case "read":
      try {
        deadline!.set(msg.deadline);
        return reply({ type: "done", id: msg.id, result: runRead(db!, msg.job) });
      } catch (err) {
        return reply({ type: "failed", id: msg.id, failure: describeFailure(err) });
      }
  }
};
