// Admins download a consistent snapshot of the database (GET /api/backup) as a file.
import { toast } from "../lib/toast.ts";

export function BackupCard() {
  return (
    <div class="card setting">
      <div class="setting-text">
        <h2 id="backup-title">Backup</h2>
        <p class="muted">
          A consistent snapshot of everything: webhooks, events, accounts and settings, taken while the server keeps running. To restore,
          stop the server and put the file in place of <code>inlet.db</code> in the data directory.
        </p>
      </div>
      <a class="btn" href="/api/backup" download onClick={() => toast("Backup download started")} aria-describedby="backup-title">
        Download backup
      </a>
    </div>
  );
}
