// Waiting on a condition, never on the clock: polls until it holds, or fails naming what it waited for.

/** Resolves once `condition()` is true; throws "timed out waiting for <what>" after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}
