// An event trigger's state and its evaluation, bucket by bucket, as Prefect's `evaluate` steps
// through it (server/events/triggers.py), with Inlet's changes for Proactive triggers:
// - a silence alerts once: the bucket that fired stays "down" and opens no further windows, so no
//   repeated alerts while silent;
// - the first expected event after a silence resolves it (one "down", one "up");
// - every `for_each` key keeps its own windows, so a key that falls silent after a healthy window
//   alerts (Prefect deletes such a key's bucket and never looks at it again).
import type { Event } from "../../events/model.ts";
import type { EventTrigger, TriggerState } from "../model.ts";
import type { TriggerMatcher } from "./matching.ts";
import { LOOKBACK_MS, seconds, SWEEP_MS } from "./time.ts";

export interface Bucket {
  start: number;
  end: number;
  count: number;
}

/** One `for_each` key's state: its open window, whether it is down (since when), the last event counted. */
export interface KeyState {
  bucket: Bucket | null;
  down: number | null;
  last: Event | null;
  labels: Record<string, string>;
  /** Changed since the last write (its key is in `dirty`). */
  changed?: boolean;
}

/** What a trigger did: fired (Triggered) or, for a Proactive one, saw its events resume (Resolved). */
export interface Outcome {
  state: TriggerState;
  /** The instant evaluated at (an event's time, or the clock at a deadline). */
  at: number;
  event: Event | null;
  labels: Record<string, string>;
}

export class EventTriggerState {
  readonly keys = new Map<string, KeyState>();
  /** Keys changed since the last write. */
  readonly dirty = new Set<string>();
  private readonly within: number;
  private readonly reactive: boolean;
  private readonly immediate: boolean;

  constructor(
    readonly trigger: EventTrigger,
    readonly matcher: TriggerMatcher,
  ) {
    this.within = seconds(trigger.within);
    this.reactive = trigger.posture === "Reactive";
    this.immediate = this.reactive && this.within === 0;
  }

  get proactive(): boolean {
    return !this.reactive;
  }

  /**
   * A Proactive trigger without `after` or `for_each` watches from the moment it is created or
   * enabled: its first window starts then, not at its first event.
   */
  startWatching(at: number): void {
    if (this.reactive || this.trigger.after.length > 0 || this.trigger.for_each.length > 0 || this.keys.has("")) return;
    this.keys.set("", { bucket: { start: at, end: at + this.within, count: 0 }, down: null, last: null, labels: {} });
    this.dirty.add("");
  }

  /** Evaluates one event (not the automation's own) at `now`, appending what happened to `out`. */
  onEvent(event: Event, now: number, out: Outcome[]): void {
    const { trigger, matcher } = this;
    const expects = matcher.expects(event.event);
    const after = trigger.after.length > 0 && matcher.startsAfter(event.event);
    if ((!expects && !after) || !matcher.covers(event)) return;
    const key = matcher.keyOf(event);
    let ks = this.keys.get(key);
    if (!ks) {
      ks = { bucket: null, down: null, last: null, labels: matcher.labelsOf(event) };
      this.keys.set(key, ks);
    }
    if (!ks.changed) {
      ks.changed = true;
      this.dirty.add(key);
    }
    if (this.reactive && ks.bucket && ks.bucket.end + SWEEP_MS <= now) ks.bucket = null;

    if (!this.reactive && expects && ks.down !== null) {
      out.push({ state: "Resolved", at: now, event, labels: ks.labels });
      ks.down = null;
    }
    if (after) {
      // An event both in `after` and `expect` opens the window at -1, so that it leaves it at 0.
      if (!ks.bucket) ks.bucket = { start: now, end: now + this.within, count: expects ? -1 : 0 };
      else if (!this.reactive && expects && inside(ks.bucket, now) && ks.bucket.count + 1 >= trigger.threshold) {
        // Proactive with the same event in `after` and `expect` (Prefect's PR #18819): the event
        // that would satisfy the window restarts it instead, so the trigger fires `within` after
        // the last such event.
        ks.bucket = { start: now, end: now + this.within, count: -1 };
      }
      ks.last = event;
    }
    if (!ks.bucket && trigger.after.length === 0 && expects) {
      // A first window reaches back, to count events that arrive out of order.
      ks.bucket = { start: now - LOOKBACK_MS, end: now + this.within, count: 0 };
      ks.last = event;
    }
    if (!expects || !ks.bucket) return this.forgetIfIdle(key, ks);
    this.evaluate(ks, now, event, out);
    this.forgetIfIdle(key, ks);
  }

  /** Proactive deadlines that have come: each window that ended short of the threshold fires. */
  onDeadlines(now: number, out: Outcome[]): void {
    if (this.reactive) return;
    for (const [key, ks] of this.keys) {
      if (!ks.bucket || ks.bucket.end > now) continue;
      this.dirty.add(key);
      // At most twice: a satisfied window rolls into the next, which, if over too, fires.
      while (ks.bucket && ks.bucket.end <= now) this.evaluate(ks, now, null, out);
      this.forgetIfIdle(key, ks);
    }
  }

  /** The earliest Proactive deadline, or null. */
  nextDue(): number | null {
    if (this.reactive) return null;
    let due: number | null = null;
    for (const ks of this.keys.values()) if (ks.bucket && (due === null || ks.bucket.end < due)) due = ks.bucket.end;
    return due;
  }

  /** Forgets Reactive buckets that ended more than a minute ago (Prefect's sweep of closed buckets). */
  sweep(now: number): void {
    if (!this.reactive) return;
    for (const [key, ks] of this.keys) {
      if (ks.bucket && ks.bucket.end + SWEEP_MS <= now) {
        ks.bucket = null;
        this.dirty.add(key);
        this.keys.delete(key);
      }
    }
  }

  private forgetIfIdle(key: string, ks: KeyState): void {
    if (!ks.bucket && ks.down === null) this.keys.delete(key);
  }

  /** Prefect's `evaluate`, for one bucket at `now`, with or without an event to count. */
  private evaluate(ks: KeyState, now: number, event: Event | null, out: Outcome[]): void {
    const { trigger, within } = this;
    const b = ks.bucket!;
    let count = event ? 1 : 0;
    if (now < b.start) return; // a late event, or a Reactive trigger cooling down after firing
    if (count && (this.immediate || inside(b, now))) {
      b.count += count;
      count = 0;
      if (event) ks.last = event;
    }
    const ready = this.reactive || b.end <= now;
    const meets = this.reactive ? b.count >= trigger.threshold : b.count < trigger.threshold;
    let fired = false;
    if (ready && meets) {
      fired = true;
      ks.bucket = null;
      if (this.reactive) out.push({ state: "Triggered", at: now, event: event ?? ks.last, labels: ks.labels });
      else {
        if (ks.down === null) out.push({ state: "Triggered", at: now, event: ks.last, labels: ks.labels });
        ks.down = now;
        if (count > 0 && event) {
          // The event that showed the silence is itself the events resuming.
          out.push({ state: "Resolved", at: now, event, labels: ks.labels });
          ks.down = null;
          ks.last = event;
          if (trigger.after.length === 0) ks.bucket = { start: now, end: now + within, count: 1 };
        }
        return;
      }
    } else if (now < b.end) return;
    if (trigger.after.length > 0) {
      ks.bucket = null;
      return;
    }
    if (within === 0) {
      // Prefect leaves an unfired bucket of a `within` 0 trigger in place (until it is swept).
      if (!fired) ks.bucket = b;
      return;
    }
    // A deadline rolls a Proactive window on from its end, so that windows missed while Inlet was
    // stopped are still seen (and alert once).
    const start = !this.reactive && !event ? b.end : Math.max(b.end, now);
    if (this.reactive && count > 0) {
      ks.bucket = { start, end: start + within, count: 0 };
      this.evaluate(ks, now, event, out);
      return;
    }
    ks.bucket = { start, end: start + within, count };
  }

  /** The key's state as stored. The last event is kept for Proactive triggers only (their alerts carry it). */
  serialize(key: string): { data: string; due: number | null } | null {
    const ks = this.keys.get(key);
    if (!ks) return null;
    ks.changed = false;
    const last = this.reactive ? null : ks.last;
    return {
      data: JSON.stringify({ bucket: ks.bucket, down: ks.down, last, labels: ks.labels }),
      due: !this.reactive && ks.bucket ? ks.bucket.end : null,
    };
  }

  restore(key: string, data: string): void {
    const ks = JSON.parse(data) as KeyState;
    this.keys.set(key, { bucket: ks.bucket, down: ks.down, last: ks.last, labels: ks.labels ?? {} });
  }
}

const inside = (b: Bucket, now: number) => b.start <= now && now < b.end;
