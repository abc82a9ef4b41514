// The runaway guard: an automation that fires more than `limit` times within `windowMs` (say, one
// whose actions produce the events its trigger counts, through another automation) is paused
// rather than left to flood its destinations.
export class RunawayGuard {
  private readonly firings = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Records a firing at `now`; false when it would be one too many (the automation must be paused). */
  allow(automationId: string, now: number): boolean {
    const horizon = now - this.windowMs;
    const times = (this.firings.get(automationId) ?? []).filter((t) => t > horizon);
    if (times.length >= this.limit) {
      this.firings.delete(automationId);
      return false;
    }
    times.push(now);
    this.firings.set(automationId, times);
    return true;
  }

  forget(automationId: string): void {
    this.firings.delete(automationId);
  }
}
