// What one client may hold of the server: a request's body must arrive within a deadline, and one
// address may have only so many requests in progress. Bun.serve bounds neither: its idle timeout
// restarts with every byte, so a body trickled in a byte at a time holds its connection (and a
// file descriptor) for as long as the sender likes, and enough of them starve everyone else.
import type { Server } from "bun";
import { maskPath } from "./app.ts";
import { AppError, errorResponse, hookResponse } from "./errors.ts";
import { requestId } from "./http/request-id.ts";
import type { Logger } from "./log.ts";

export interface RequestLimitOptions {
  /** How long a request's body may take to arrive, from its headers on. */
  bodyTimeoutMs: number;
  /** Requests in progress at once from one address; 0 for no limit. */
  maxRequestsPerAddress: number;
  logger: Logger;
}

type Handler = (request: Request) => Response | undefined | void | Promise<Response | undefined | void>;

/** Called once a request's body has arrived whole (a handler that reads the stream itself says so). */
const bodyArrived = new WeakMap<Request, () => void>();

/** For code that reads `request.body` as a stream: the body has arrived whole. */
export function bodyReceived(request: Request): void {
  bodyArrived.get(request)?.();
}

// The ways to read a whole body; each is wrapped on the request itself so that the deadline stops
// when the body is in, whoever reads it (the framework's body parser or a route).
const READERS = ["arrayBuffer", "blob", "bytes", "formData", "json", "text"] as const;

function watchBody(request: Request, arrived: () => void): void {
  bodyArrived.set(request, arrived);
  for (const name of READERS) {
    const read = request[name] as () => Promise<unknown>;
    Object.defineProperty(request, name, {
      configurable: true,
      value: () => {
        const reading = read.call(request);
        reading.then(arrived, () => {});
        return reading;
      },
    });
  }
}

function hasBody(request: Request): boolean {
  const length = request.headers.get("content-length");
  return (length !== null && length !== "0") || request.headers.has("transfer-encoding");
}

/** Hook URLs answer with a status and an empty body; everything else with the error catalogue's shape. */
function refusal(request: Request, path: string, error: AppError, headers: Record<string, string>): Response {
  const all = { connection: "close", "x-request-id": requestId(request), ...headers };
  return path.startsWith("/hooks/") ? hookResponse(error.code, all) : errorResponse(error, all);
}

/** A copy of the response that tells the client the connection ends with it. */
function closing(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set("connection", "close");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export class RequestLimits {
  private readonly inProgress = new Map<string, number>();

  constructor(private readonly options: RequestLimitOptions) {}

  /** Requests in progress from one address, or from all of them. */
  requestsInProgress(address?: string): number {
    if (address !== undefined) return this.inProgress.get(address) ?? 0;
    let total = 0;
    for (const n of this.inProgress.values()) total += n;
    return total;
  }

  /** Wraps the app's fetch handler for Bun.serve. */
  wrap(handler: Handler): (request: Request, server: Server<unknown>) => Promise<Response | undefined> {
    return (request, server) => this.handle(request, server, handler);
  }

  private async handle(request: Request, server: Server<unknown>, handler: Handler): Promise<Response | undefined> {
    const { bodyTimeoutMs, maxRequestsPerAddress, logger } = this.options;
    const address = server.requestIP(request)?.address ?? "";
    const path = () => new URL(request.url).pathname;
    const count = this.inProgress.get(address) ?? 0;
    if (maxRequestsPerAddress > 0 && count >= maxRequestsPerAddress) {
      logger.info(`${request.method} ${maskPath(path())} 429`, {
        address,
        request_id: requestId(request),
        reason: `${count} requests in progress from this address`,
      });
      // Closing the connection too: refusing is only worth it if the file descriptor is given back.
      return refusal(
        request,
        path(),
        new AppError("too_many_requests", "Too many requests in progress from your address; try again shortly"),
        {
          "retry-after": "1",
        },
      );
    }
    this.inProgress.set(address, count + 1);

    let arrived = !hasBody(request);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let expired: Promise<Response> | undefined;
    if (!arrived) {
      watchBody(request, () => {
        arrived = true;
        clearTimeout(timer);
      });
      expired = new Promise<Response>((resolve) => {
        timer = setTimeout(() => {
          logger.info(`${request.method} ${maskPath(path())} 408`, {
            address,
            request_id: requestId(request),
            reason: `the body did not arrive within ${bodyTimeoutMs} ms`,
          });
          // Once the answer is out the runtime closes the connection, and the handler's read fails.
          resolve(refusal(request, path(), new AppError("request_timeout"), {}));
        }, bodyTimeoutMs);
      });
    }
    try {
      const handled = Promise.resolve(handler(request)).then((response) => response ?? undefined);
      const response = expired ? await Promise.race([handled, expired]) : await handled;
      // A body nobody read would otherwise be drained by the runtime, for as long as it trickles in.
      return response && !arrived ? closing(response) : response;
    } catch (error) {
      logger.error(`unhandled error on ${request.method} ${maskPath(path())}`, { error });
      return refusal(request, path(), new AppError("internal"), {});
    } finally {
      clearTimeout(timer);
      const left = (this.inProgress.get(address) ?? 1) - 1;
      if (left > 0) this.inProgress.set(address, left);
      else this.inProgress.delete(address);
    }
  }
}
