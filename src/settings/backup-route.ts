// GET /api/backup (admins): a consistent snapshot of the whole database (db/snapshot.ts), as a file
// download that is never cached.
import { Elysia } from "elysia";
import { accessControl } from "../auth/access.ts";
import type { AppContext } from "../context.ts";
import { databaseSnapshot } from "../db/snapshot.ts";

/** `inlet-backup-2026-01-02T030405Z.db`: sorts by time, and every character is safe in a header. */
export function backupFileName(now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "");
  return `inlet-backup-${stamp}.db`;
}

export function backupRoutes(ctx: AppContext) {
  return new Elysia().use(accessControl(ctx)).get(
    "/backup",
    async () => {
      const body = await databaseSnapshot(ctx.db);
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
