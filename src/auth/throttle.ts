// Failed sign-in throttling, per client IP + email, in memory (one process; a restart forgives).
// After MAX_FAILURES failures within WINDOW_MS the pair is locked until the window ends. A looser
// per-IP bound stops one client from spraying many emails.

export const MAX_FAILURES = 5;
export const MAX_FAILURES_PER_IP = 50;
export const WINDOW_MS = 15 * 60 * 1000;
/** Entries kept at most; the oldest windows are dropped first, so a flood of IPs cannot grow memory without bound. */
const MAX_ENTRIES = 10_000;

interface Window {
  start: number;
  failures: number;
}

export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds until this IP + email may try again, or 0 when a try is allowed. */
  retryAfter(ip: string, email: string): number {
    const t = this.now();
    let wait = 0;
    for (const [key, max] of [[`${ip}|${email}`, MAX_FAILURES], [ip, MAX_FAILURES_PER_IP]] as const) {
      const w = this.live(key, t);
      if (w && w.failures >= max) wait = Math.max(wait, Math.ceil((w.start + WINDOW_MS - t) / 1000));
    }
    return wait;
  }

  fail(ip: string, email: string): void {
    const t = this.now();
    for (const key of [`${ip}|${email}`, ip]) {
      const w = this.live(key, t) ?? { start: t, failures: 0 };
      w.failures++;
      this.windows.delete(key);
      this.windows.set(key, w);
    }
    while (this.windows.size > MAX_ENTRIES) this.windows.delete(this.windows.keys().next().value!);
  }

  /** A successful sign-in clears the pair (not the IP, which may be shared by others trying to guess). */
  succeed(ip: string, email: string): void {
    this.windows.delete(`${ip}|${email}`);
  }

  private live(key: string, t: number): Window | undefined {
    const w = this.windows.get(key);
    if (w && t - w.start >= WINDOW_MS) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }
}
