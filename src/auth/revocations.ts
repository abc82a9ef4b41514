// A signal that credentials were taken away (a key deleted or rotated, a user deleted or changed,
// sessions signed out). Connections that outlive a request, like the event stream, listen and check
// their own credentials again at once, instead of streaming on until their next periodic check.

export class Revocations {
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` after each revocation, until the returned function is called. */
  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Called by the stores after the change is written, so that listeners see it. */
  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
