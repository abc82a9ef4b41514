import { processEnv } from "../config.ts";

// What every command gets: its arguments and where to write. Tests pass their own streams.
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads a line from the terminal, or null when there is no interactive terminal. */
  prompt: (question: string) => Promise<string | null>;
  env: Record<string, string | undefined>;
  isTTY: boolean;
}

/** A usage error: exit status 2 with a usage line. */
export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) {
    super(message);
  }
}

/** A failed operation: exit status 1 with one line on stderr. */
export class CliError extends Error {}

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    prompt: async (question) => {
      if (!process.stdin.isTTY) return null;
      process.stdout.write(question);
      for await (const line of console) return line;
      return null;
    },
    env: processEnv(),
    isTTY: Boolean(process.stdin.isTTY),
  };
}
