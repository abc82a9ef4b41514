import { processEnv } from "../config.ts";

// What every command gets: its arguments and where to write. Tests pass their own streams.
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads a line from the terminal, or null when there is no interactive terminal. */
  prompt: (question: string) => Promise<string | null>;
  env: Record<string, string | undefined>;
  isTTY: boolean;
  /** Reads all of standard input (for `-t @-`, `--body-file -`, `--password-stdin`). */
  readStdin?: () => Promise<string>;
  /** Aborted when the user interrupts a long-running command (`events tail`); Ctrl-C in a terminal. */
  signal?: AbortSignal;
}

/** A usage error: exit status 2 with a usage line. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** A failed operation: exit status 1 with one line on stderr. */
export class CliError extends Error {}

export function processIO(): CliIO {
  let interrupt: AbortController | null = null;
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
    readStdin: () => Bun.stdin.text(),
    // Created on first use, so that only the commands that ask for it take over Ctrl-C.
    get signal() {
      if (!interrupt) {
        const controller = (interrupt = new AbortController());
        process.once("SIGINT", () => controller.abort());
        process.once("SIGTERM", () => controller.abort());
      }
      return interrupt.signal;
    },
  };
}

/**
 * Asks a yes/no question (default No). Returns true with `--yes`, null when nobody can answer
 * (no terminal), else the answer.
 */
export async function confirm(io: CliIO, question: string, yes: boolean | undefined): Promise<boolean | null> {
  if (yes) return true;
  if (!io.isTTY) return null;
  const answer = await io.prompt(`${question} [y/N]: `);
  if (answer === null) return null;
  return /^\s*y(es)?\s*$/i.test(answer);
}

/** Reads a file named on the command line ("-" is standard input) with a one-line error. */
export async function readInputFile(io: CliIO, path: string, what: string): Promise<string> {
  if (path === "-") {
    if (!io.readStdin) throw new CliError(`Cannot read ${what} from standard input here`);
    return await io.readStdin();
  }
  const file = Bun.file(path);
  if (!(await file.exists())) throw new CliError(`Cannot read ${what}: no such file ${path}`);
  try {
    return await file.text();
  } catch (err) {
    throw new CliError(`Cannot read ${what} from ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
