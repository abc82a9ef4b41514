// GET /api/backup (admins): a consistent snapshot of the whole database, as a file download.
// `VACUUM INTO` copies the database as one read transaction sees it, so events committed while the
// copy runs are either wholly in it or not at all, and the copy is compact and ready to open. It is
// written next to the database (same file system, same permissions), opened, unlinked at once (so
// nothing is left behind whatever happens to the download) and streamed from the open handle.
import { Elysia } from "elysia";
import { randomUUID } from "node:crypto";
import { open, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { accessControl } from "../auth/access.ts";
import type { AppContext } from "../context.ts";

const CHUNK_BYTES = 256 * 1024;

/** `inlet-backup-2026-01-02T030405Z.db`: sorts by time, and every character is safe in a header. */
export function backupFileName(now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "");
  return `inlet-backup-${stamp}.db`;
}

/** Streams an open file from its start, closing it at the end or when the download is abandoned. */
function streamAndClose(handle: Awaited<ReturnType<typeof open>>): ReadableStream<Uint8Array> {
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

async function snapshot(ctx: AppContext): Promise<BodyInit> {
  const sqlite = ctx.db.$client;
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

export function backupRoutes(ctx: AppContext) {
  return new Elysia().use(accessControl(ctx)).get(
    "/backup",
    async () => {
      const body = await snapshot(ctx);
      const name = backupFileName(ctx.clock.now());
      ctx.logger.info("backup downloaded", { file: name });
      return new Response(body, {
        headers: {
          "content-type": "application/vnd.sqlite3",
          "content-disposition": `attachment; filename="${name}"`,
          "cache-control": "no-store",
        },
      });
    },
    { access: "admin" },
  );
}
