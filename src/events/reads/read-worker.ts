// The read worker (reader.ts): its own connection to the database file, kept from writing
// (query_only), running the store's filter reads (read-jobs.ts) so that the request thread never
// waits on one.
import { openQueryOnly, type Db } from "../../db/open.ts";
import { enableDeadline } from "../store/read-deadline.ts";
import { describeFailure, runRead, type FromReadWorker, type ToReadWorker } from "./read-jobs.ts";

declare const self: Worker;

let db: Db | null = null;
let deadline: { set(at: number): void } | null = null;
const reply = (msg: FromReadWorker) => self.postMessage(msg);

self.onmessage = (e: MessageEvent<ToReadWorker>) => {
  const msg = e.data;
  switch (msg.type) {
    case "open": {
      db = openQueryOnly(msg.path);
      deadline = enableDeadline(db);
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
