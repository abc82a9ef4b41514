// Slows, then refuses, a client that keeps asking for hooks that do not exist: someone guessing slugs,
// or a scanner. Slugs are long random strings, so guessing is hopeless anyway; this keeps such a
// client from costing the server a lookup and a log line at full speed for as long as it likes.
//
// Only unknown-slug answers (404 on /hooks/*) count, and only they are refused: a request from the
// same address to a hook that exists is answered as usual, always. So a real sender with a typo in one
// URL (or another sender behind the same address: GitHub's and Stripe's senders share theirs) keeps
// delivering to its right URLs, and recovers on the typo's URL by itself once the block ends.
import { TokenBuckets } from "./token-bucket.ts";

export interface ProbeThrottleOptions {
  /** Unknown-hook answers one address may get in a burst; 0 turns the throttle off. */
  burst: number;
  /** How fast the burst comes back. */
  perMinute: number;
  /** How long an address that spent its burst is refused for. */
  blockMs: number;
  /** How long each answer is held back once half the burst is spent. */
  slowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export type ProbeVerdict =
  | { kind: "answer" }
  | { kind: "slow"; ms: number }
  /** `blocked`: this miss is the one that started the block. */
  | { kind: "refuse"; retryAfterS: number; blocked: boolean };

const DEFAULT_MAX_KEYS = 10_000;

export class ProbeThrottle {
  private readonly buckets: TokenBuckets | null;
  /** Address → when its block ends; least recently blocked first. */
  private readonly blocked = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: ProbeThrottleOptions) {
    this.now = options.now ?? Date.now;
    this.buckets =
      options.burst > 0
        ? new TokenBuckets({ capacity: options.burst, refillPerSecond: options.perMinute / 60, maxKeys: options.maxKeys, now: this.now })
        : null;
  }

  /** Addresses refused now. */
  blockedAddresses(): number {
    const t = this.now();
    let n = 0;
    for (const until of this.blocked.values()) if (until > t) n++;
    return n;
  }

  /** An unknown-slug answer is about to go to `address`: answer it, hold it back, or refuse it. */
  miss(address: string): ProbeVerdict {
    if (!this.buckets) return { kind: "answer" };
    const t = this.now();
    const until = this.blocked.get(address);
    if (until !== undefined) {
      if (until > t) return { kind: "refuse", retryAfterS: Math.ceil((until - t) / 1000), blocked: false };
      this.blocked.delete(address);
    }
    const taken = this.buckets.take(address);
    if (!taken.ok) {
      this.blocked.set(address, t + this.options.blockMs);
      while (this.blocked.size > (this.options.maxKeys ?? DEFAULT_MAX_KEYS)) this.blocked.delete(this.blocked.keys().next().value!);
      return { kind: "refuse", retryAfterS: Math.ceil(this.options.blockMs / 1000), blocked: true };
    }
    return taken.left < this.options.burst / 2 ? { kind: "slow", ms: this.options.slowMs } : { kind: "answer" };
  }
}
