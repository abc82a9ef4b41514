// The one-time setup link: with no admin user, the server prints `<base-url>/setup?token=…`, and
// whoever opens it creates the first admin. The token lives in memory only: it is valid until used
// (or until the server stops; the next start prints a new one while there is still no admin).
import { randomBytes } from "node:crypto";
import { constantTimeEqual } from "./keys.ts";

export class SetupToken {
  private token: string | null = null;

  /** A fresh token (replacing any earlier one). */
  issue(): string {
    this.token = randomBytes(24).toString("base64url");
    return this.token;
  }

  get pending(): boolean {
    return this.token !== null;
  }

  /** True exactly once for the issued token; the token is spent on success. */
  consume(candidate: string): boolean {
    if (!this.token || !constantTimeEqual(this.token, candidate)) return false;
    this.token = null;
    return true;
  }
}

export const setupLink = (baseUrl: string, token: string) => `${baseUrl}/setup?token=${token}`;
