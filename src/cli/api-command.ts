// What the CLI's online nouns (webhook, automation, destination) share: a subcommand that talks to
// the server, and Prefect's message for an id the server does not know.
import { CLIENT_OPTIONS, str, subcommand, type Options, type Values } from "./args.ts";
import { ApiError, clientFor, type ApiClient } from "./client.ts";
import { CliError, type CliIO } from "./io.ts";

/** A subcommand that talks to the server: adds --url/--api-key and hands over a client. */
export function apiCommand(
  helpText: string,
  options: Options,
  args: string[],
  body: (args: string[], v: Values, client: ApiClient, io: CliIO) => Promise<number>,
  optionalArgs = 0,
) {
  return subcommand({ help: helpText, options: { ...options, ...CLIENT_OPTIONS }, args, optionalArgs }, (a, v, io) =>
    body(a, v, clientFor({ url: str(v, "url"), "api-key": str(v, "api-key") }, io.env), io),
  );
}

/** A call about one `noun` by id; the API's 404 becomes Prefect's "<Noun> with id '<id>' not found." */
export async function aboutOne<T>(noun: string, id: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw new CliError(`${noun} with id '${id}' not found.`);
    throw err;
  }
}
