// Per-webhook rate limits: a token bucket for each webhook that has a `rate_limit`, holding
// `burst` requests and refilling at `per_minute`. A changed limit starts a fresh bucket.
import { TokenBuckets } from "../http/token-bucket.ts";
import type { RateLimit } from "../webhooks/access-rules.ts";

export class WebhookRateLimits {
  private readonly limits = new Map<string, { spec: string; buckets: TokenBuckets }>();

  constructor(private readonly now: () => number) {}

  /** Takes one request from the webhook's bucket: 0 when it may pass, else the seconds to wait. */
  take(webhookId: string, limit: RateLimit): number {
    const spec = `${limit.per_minute}/${limit.burst}`;
    let entry = this.limits.get(webhookId);
    if (!entry || entry.spec !== spec) {
      entry = {
        spec,
        buckets: new TokenBuckets({ capacity: limit.burst, refillPerSecond: limit.per_minute / 60, maxKeys: 1, now: this.now }),
      };
      this.limits.set(webhookId, entry);
    }
    const taken = entry.buckets.take(webhookId);
    return taken.ok ? 0 : Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
  }
}
