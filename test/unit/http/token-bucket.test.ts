import { describe, expect, test } from "bun:test";
import { TokenBuckets } from "../../../src/http/token-bucket.ts";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe("TokenBuckets", () => {
  test("a burst of `capacity`, then refused with the time until the next token", () => {
    const c = clock();
    const buckets = new TokenBuckets({ capacity: 3, refillPerSecond: 0.5, now: c.now });
    expect([1, 2, 3].map(() => buckets.take("a").ok)).toEqual([true, true, true]);
    expect(buckets.take("a")).toEqual({ ok: false, retryAfterMs: 2000 });
    c.advance(1000);
    expect(buckets.take("a")).toEqual({ ok: false, retryAfterMs: 1000 });
    c.advance(1000);
    expect(buckets.take("a")).toEqual({ ok: true, left: 0 });
  });

  test("keys are independent, and a bucket never holds more than its capacity", () => {
    const c = clock();
    const buckets = new TokenBuckets({ capacity: 2, refillPerSecond: 1, now: c.now });
    buckets.take("a");
    buckets.take("a");
    expect(buckets.take("a").ok).toBe(false);
    expect(buckets.take("b").ok).toBe(true);
    c.advance(60_000);
    expect(buckets.tokens("a")).toBe(2);
  });

  test("a clock that steps back earns nothing and takes nothing away", () => {
    const c = clock();
    const buckets = new TokenBuckets({ capacity: 2, refillPerSecond: 1, now: c.now });
    buckets.take("a");
    c.advance(-10_000);
    expect(buckets.tokens("a")).toBe(1);
  });

  test("memory is bounded: past maxKeys the least recently used key is forgotten (and starts full)", () => {
    const c = clock();
    const buckets = new TokenBuckets({ capacity: 1, refillPerSecond: 0.001, maxKeys: 100, now: c.now });
    buckets.take("first");
    for (let i = 0; i < 10_000; i++) buckets.take(`10.0.${i >> 8}.${i & 255}`);
    expect(buckets.size).toBe(100);
    expect(buckets.tokens("first")).toBe(1);
    // The most recent keys are still tracked.
    expect(buckets.take("10.0.39.15").ok).toBe(false);
  });

  test("a capacity or rate of 0 is refused", () => {
    expect(() => new TokenBuckets({ capacity: 0, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => new TokenBuckets({ capacity: 1, refillPerSecond: 0 })).toThrow(RangeError);
  });
});
