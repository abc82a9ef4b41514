// The metrics that watch storage from outside it: commits are timed around the committer, and the
// stored-event count is kept up to date from commits and retention rather than counted per scrape
// (count(*) reads a whole index, which on millions of events is no scrape's business).
import type { Committer } from "../events/store/committer.ts";
import type { Metrics } from "./metrics.ts";

/** The number of stored events: counted once, on first read, then moved by what is committed and deleted. */
export class EventTally {
  private counted: number | null = null;

  constructor(private readonly countAll: () => number) {}

  value(): number {
    this.counted ??= this.countAll();
    return this.counted;
  }

  /** Before the first read, nothing needs moving: that read counts everything committed by then. */
  added(n: number): void {
    if (this.counted !== null) this.counted += n;
  }

  removed(n: number): void {
    if (this.counted !== null) this.counted = Math.max(0, this.counted - n);
  }
}

/** A committer that reports each transaction's size and time, and what it stored. */
export function observedCommitter(inner: Committer, metrics: Metrics, tally: EventTally): Committer {
  return {
    async commit(events, raws) {
      const stop = metrics.commitSeconds.startTimer();
      const stored = await inner.commit(events, raws);
      stop();
      metrics.commitBatchSize.observe(events.length);
      tally.added(stored.length);
      return stored;
    },
    close: () => inner.close(),
  };
}
