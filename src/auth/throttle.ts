// Sign-in throttling, in memory (one process; a restart forgives). Two bounds, each a window of
// WINDOW_MS from its first attempt:
//  - per (email, address): MAX_FAILURES attempts, then that pair waits for the window's end. A
//    guesser elsewhere never locks the same email here.
//  - per address: MAX_FAILURES_PER_ADDRESS attempts over all emails (a spray, and the hashing it
//    costs), then the address waits, except for an email that signed in from this address within
//    TRUSTED_FOR_MS. Behind a NAT or a reverse proxy many people share an address; failures on other
//    or made-up emails there must not lock out someone who has signed in from it before. This
//    exemption says nothing about whether an email exists: only a right password earns it.
// An attempt counts when it starts, before the ~85 ms password hash, so that a burst of concurrent
// attempts cannot all pass the check before the first has failed; a success gives it back.

export const MAX_FAILURES = 5;
export const MAX_FAILURES_PER_ADDRESS = 50;
export const WINDOW_MS = 15 * 60 * 1000;
/** How long a successful sign-in exempts that email from its address's bound. */
export const TRUSTED_FOR_MS = 30 * 24 * 60 * 60 * 1000;
/** Entries kept at most, per map; the oldest go first, so a flood of addresses cannot grow memory without bound. */
const MAX_ENTRIES = 10_000;

interface Window {
  start: number;
  attempts: number;
}

export class LoginThrottle {
  private readonly pairs = new Map<string, Window>();
  private readonly addresses = new Map<string, Window>();
  /** Pair → when it last signed in. */
  private readonly trusted = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Starts an attempt: 0 when it may go ahead (it now counts against both bounds until `succeed`),
   * else the seconds until this address may try this email again.
   */
  begin(address: string, email: string): number {
    const t = this.now();
    const pair = JSON.stringify([address, email]);
    const pairWindow = live(this.pairs, pair, t);
    const addressWindow = live(this.addresses, address, t);
    let wait = 0;
    if (pairWindow && pairWindow.attempts >= MAX_FAILURES) wait = secondsLeft(pairWindow, t);
    if (addressWindow && addressWindow.attempts >= MAX_FAILURES_PER_ADDRESS && !this.isTrusted(pair, t)) {
      wait = Math.max(wait, secondsLeft(addressWindow, t));
    }
    if (wait > 0) return wait;
    count(this.pairs, pair, pairWindow, t);
    count(this.addresses, address, addressWindow, t);
    return 0;
  }

  /** The attempt signed in: the pair starts afresh and is trusted, and the address gets its attempt back. */
  succeed(address: string, email: string): void {
    const t = this.now();
    const pair = JSON.stringify([address, email]);
    this.pairs.delete(pair);
    const w = live(this.addresses, address, t);
    if (w && w.attempts > 0) w.attempts--;
    remember(this.trusted, pair, t);
  }

  private isTrusted(pair: string, t: number): boolean {
    const at = this.trusted.get(pair);
    return at !== undefined && t - at < TRUSTED_FOR_MS;
  }
}

/** The key's window, unless it is over (then it is forgotten). */
function live(windows: Map<string, Window>, key: string, t: number): Window | undefined {
  const w = windows.get(key);
  if (w && t - w.start >= WINDOW_MS) {
    windows.delete(key);
    return undefined;
  }
  return w;
}

const secondsLeft = (w: Window, t: number) => Math.ceil((w.start + WINDOW_MS - t) / 1000);

function count(windows: Map<string, Window>, key: string, w: Window | undefined, t: number): void {
  const next = w ?? { start: t, attempts: 0 };
  next.attempts++;
  remember(windows, key, next);
}

/** Sets a key as the newest entry, dropping the oldest past MAX_ENTRIES. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!);
}
