import { describe, expect, test } from "bun:test";
import { FailureLimiter } from "../../../src/ingest/failures.ts";

describe("FailureLimiter", () => {
  test("allows a burst, then refills over time and reports how many were dropped", () => {
    const limiter = new FailureLimiter(3, 60);
    const t0 = 1_000_000;
    expect([1, 2, 3, 4, 5].map(() => limiter.take("w", t0).allowed)).toEqual([true, true, true, false, false]);
    expect(limiter.take("other", t0).allowed).toBe(true);
    expect(limiter.take("w", t0 + 1000)).toEqual({ allowed: true, suppressed: 2 });
    expect(limiter.take("w", t0 + 1000)).toEqual({ allowed: false, suppressed: 1 });
  });
});
