// Token buckets by key (a client address, a webhook id): each key may spend `capacity` tokens at once,
// and earns them back at `refillPerSecond`. Memory is bounded: past `maxKeys` the least recently used
// key is forgotten, which only ever forgives it (a forgotten key starts full again). The clock is
// injected, so that tests move time rather than wait for it.

export interface TokenBucketOptions {
  /** Tokens a key may spend in a burst. */
  capacity: number;
  /** Tokens a key earns back per second. */
  refillPerSecond: number;
  /** Keys tracked at most. */
  maxKeys?: number;
  /** Milliseconds since any fixed point; Date.now by default. */
  now?: () => number;
}

export type Take = { ok: true; left: number } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

export const DEFAULT_MAX_KEYS = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.capacity > 0) || !(options.refillPerSecond > 0))
      throw new RangeError("a token bucket needs a capacity and a refill rate above 0");
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  /** Keys tracked now (at most maxKeys). */
  get size(): number {
    return this.buckets.size;
  }

  /** The tokens the key has now (capacity for a key never seen or forgotten). */
  tokens(key: string): number {
    const bucket = this.buckets.get(key);
    return bucket ? this.refilled(bucket, this.now()) : this.options.capacity;
  }

  /** Spends `cost` tokens if the key has them; otherwise how long until it will. */
  take(key: string, cost = 1): Take {
    const t = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.refilled(bucket, t) : this.options.capacity;
    if (tokens < cost) {
      return { ok: false, retryAfterMs: Math.ceil(((cost - tokens) / this.options.refillPerSecond) * 1000) };
    }
    // Re-inserted, so that the map's order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: tokens - cost, at: t });
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return { ok: true, left: tokens - cost };
  }

  /** Forgets a key (it starts full again). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  private refilled(bucket: Bucket, t: number): number {
    // A clock that steps back earns nothing rather than taking tokens away.
    const earned = (Math.max(0, t - bucket.at) / 1000) * this.options.refillPerSecond;
    return Math.min(this.options.capacity, bucket.tokens + earned);
  }
}
