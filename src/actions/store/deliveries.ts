// Deliveries (storage): the deliveries and delivery_attempts tables, past the outbox's insert. The
// worker takes due rows from here and records each attempt with the delivery's new state in one
// statement pair, inside the transaction its caller opens (see worker/worker.ts).
import { and, asc, desc, eq, gte, inArray, isNull, lt, lte, min, notInArray, or, sql } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { deliveries, deliveryAttempts } from "../../db/schema.ts";

export type DeliveryRow = typeof deliveries.$inferSelect;
export type AttemptRow = typeof deliveryAttempts.$inferSelect;
export type DeliveryStatus = DeliveryRow["status"];

/** What one attempt changed: the attempt itself (none when nothing was sent) and the delivery's next state. */
export interface Outcome {
  deliveryId: string;
  attempt: Omit<AttemptRow, "deliveryId" | "attempt"> | null;
  status: DeliveryStatus;
  nextAttempt: number | null;
  /** The rendered action, kept so that every retry sends the same text. */
  request: string | null;
  reason: string | null;
  at: number;
}

export interface DeliveryPageCursor {
  created: number;
  id: string;
}

export class DeliveryStore {
  constructor(private readonly db: Db) {}

  get(id: string): DeliveryRow | null {
    return this.db.select().from(deliveries).where(eq(deliveries.id, id)).get() ?? null;
  }

  /**
   * Pending deliveries due by `now`, the longest waiting first, leaving out those in `skip` (the
   * worker's in flight) and those to the destinations in `busyDestinations`.
   */
  due(now: number, limit: number, skip: readonly string[] = [], busyDestinations: readonly string[] = []): DeliveryRow[] {
    return this.db
      .select()
      .from(deliveries)
      .where(
        and(
          eq(deliveries.status, "pending"),
          lte(deliveries.nextAttempt, now),
          skip.length > 0 ? notInArray(deliveries.id, [...skip]) : undefined,
          busyDestinations.length > 0
            ? or(isNull(deliveries.destinationId), notInArray(deliveries.destinationId, [...busyDestinations]))
            : undefined,
        ),
      )
      .orderBy(asc(deliveries.nextAttempt), asc(deliveries.id))
      .limit(limit)
      .all();
  }

  /** When the earliest pending delivery is due, or null when none is pending. */
  nextDue(): number | null {
    return (
      this.db
        .select({ at: min(deliveries.nextAttempt) })
        .from(deliveries)
        .where(eq(deliveries.status, "pending"))
        .get()?.at ?? null
    );
  }

  /** Records an attempt and the delivery's new state; call inside the caller's transaction. */
  record(outcome: Outcome): void {
    const row = this.db
      .update(deliveries)
      .set({
        status: outcome.status,
        nextAttempt: outcome.nextAttempt,
        reason: outcome.reason,
        updated: outcome.at,
        ...(outcome.attempt ? { attemptCount: sql`${deliveries.attemptCount} + 1` } : {}),
        ...(outcome.request !== null ? { request: outcome.request } : {}),
      })
      .where(eq(deliveries.id, outcome.deliveryId))
      .returning({ attemptCount: deliveries.attemptCount })
      .get();
    if (!row || !outcome.attempt) return;
    this.db
      .insert(deliveryAttempts)
      .values({ deliveryId: outcome.deliveryId, attempt: row.attemptCount, ...outcome.attempt })
      .run();
  }

  /** Fails every pending delivery to a destination (it was disabled); returns them as they were. */
  failPendingFor(destinationId: string, reason: string, now: number): DeliveryRow[] {
    return this.db
      .update(deliveries)
      .set({ status: "failed", nextAttempt: null, reason, updated: now })
      .where(and(eq(deliveries.destinationId, destinationId), eq(deliveries.status, "pending")))
      .returning()
      .all();
  }

  /** A failed delivery becomes pending, due now; false when it is not failed. */
  retry(id: string, now: number): boolean {
    return (
      this.db
        .update(deliveries)
        .set({ status: "pending", nextAttempt: now, reason: null, updated: now })
        .where(and(eq(deliveries.id, id), eq(deliveries.status, "failed")))
        .returning({ id: deliveries.id })
        .all().length > 0
    );
  }

  /** Every delivery to the destination that failed since `since` becomes pending; how many. */
  retryFailedSince(destinationId: string, since: number, now: number): number {
    return this.db
      .update(deliveries)
      .set({ status: "pending", nextAttempt: now, reason: null, updated: now })
      .where(and(eq(deliveries.destinationId, destinationId), eq(deliveries.status, "failed"), gte(deliveries.updated, since)))
      .returning({ id: deliveries.id })
      .all().length;
  }

  /** An automation's deliveries, newest first, after `cursor`; with their attempts, oldest first. */
  pageForAutomation(
    automationId: string,
    limit: number,
    cursor: DeliveryPageCursor | null,
  ): { delivery: DeliveryRow; attempts: AttemptRow[] }[] {
    const rows = this.db
      .select()
      .from(deliveries)
      .where(
        and(
          eq(deliveries.automationId, automationId),
          cursor
            ? or(lt(deliveries.created, cursor.created), and(eq(deliveries.created, cursor.created), lt(deliveries.id, cursor.id)))
            : undefined,
        ),
      )
      .orderBy(desc(deliveries.created), desc(deliveries.id))
      .limit(limit)
      .all();
    const attempts =
      rows.length === 0
        ? []
        : this.db
            .select()
            .from(deliveryAttempts)
            .where(
              inArray(
                deliveryAttempts.deliveryId,
                rows.map((r) => r.id),
              ),
            )
            .orderBy(asc(deliveryAttempts.attempt))
            .all();
    return rows.map((delivery) => ({ delivery, attempts: attempts.filter((a) => a.deliveryId === delivery.id) }));
  }

  attemptsOf(id: string): AttemptRow[] {
    return this.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, id)).orderBy(asc(deliveryAttempts.attempt)).all();
  }
}
