// A consistent copy of the whole database, for backups. `VACUUM INTO` copies the database as one
// read transaction sees it, so events committed while the copy runs are either wholly in it or not
// at all, and the copy is compact and ready to open. It is written next to the database (same file
// system, same permissions), opened, unlinked at once (so nothing is left behind whatever happens
// to the reader) and read from the open handle.
import { randomUUID } from "node:crypto";
import { open, unlink, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Db } from "./open.ts";

const CHUNK_BYTES = 256 * 1024;

/** Streams an open file from its start, closing it at the end or when the reader gives up. */
function streamAndClose(handle: FileHandle): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      const buffer = new Uint8Array(CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) {
        controller.close();
        await handle.close();
      } else controller.enqueue(buffer.subarray(0, bytesRead));
    },
    async cancel() {
      await handle.close();
    },
  });
}

/** The snapshot as a response body: a stream of the copy, or the bytes of an in-memory database. */
export async function databaseSnapshot(db: Db): Promise<ReadableStream<Uint8Array> | Blob> {
  const sqlite = db.$client;
  // An in-memory database (tests, tools) has no directory to copy into; it is small by nature.
  if (!sqlite.filename || sqlite.filename === ":memory:") return new Blob([sqlite.serialize() as Uint8Array<ArrayBuffer>]);
  const temp = join(dirname(sqlite.filename), `.backup-${randomUUID()}.db`);
  try {
    sqlite.run("VACUUM INTO ?", [temp]);
    const handle = await open(temp, "r");
    await unlink(temp);
    return streamAndClose(handle);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
