// What one client, and all of them together, may hold of the server; every request passes here first,
// in this order:
//  1. the header section's count and size (431, the connection closed);
//  2. requests in flight over all clients (503 + Retry-After: senders retry, and memory stays bounded
//     under a flood, since each request in flight may hold a body);
//  3. requests in progress from one client address (429 + Retry-After, the connection closed);
//  4. a body must arrive within a deadline (408): Bun.serve's idle timeout restarts with every byte,
//     so a body trickled in a byte at a time would hold its connection for as long as the sender likes;
//  5. after the app answered: unknown-hook answers to one address are slowed, then refused (429).
// The client address is decided once, here (auth/client-address.ts), for everything after.
import type { Server } from "bun";
import { maskPath } from "./app.ts";
import { identifyClient } from "./auth/client-address.ts";
import { AppError, errorResponse, hookResponse } from "./errors.ts";
import { CidrList } from "./http/cidr.ts";
import { isHookPath, requestPath } from "./http/edge.ts";
import { headerProblem, type HeaderLimits } from "./http/header-limits.ts";
import type { ProbeThrottle } from "./http/probe-throttle.ts";
import { requestId } from "./http/request-id.ts";
import type { Logger } from "./log.ts";
import type { Metrics, RequestLimitName } from "./metrics/metrics.ts";

export interface RequestLimitOptions {
  /** How long a request's body may take to arrive, from its headers on. */
  bodyTimeoutMs: number;
  /** Requests in progress at once from one address; 0 for no limit. */
  maxRequestsPerAddress: number;
  /** Requests in progress at once over all addresses; 0 (or absent) for no limit. */
  maxRequestsInFlight?: number;
  headers?: HeaderLimits;
  probes?: ProbeThrottle;
  /** Proxies whose forwarding headers name the client; none when not given. */
  trustedProxies?: CidrList;
  /** Where refusals and answers are counted. */
  metrics?: Metrics;
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
  const all = { "x-request-id": requestId(request), ...headers };
  return isHookPath(path) ? hookResponse(error.code, all) : errorResponse(error, all);
}

/** A copy of the response that tells the client the connection ends with it. */
function closing(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set("connection", "close");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Liveness must answer under load: it is tiny, and a probe that fails gets a healthy server restarted. */
const isLiveness = (request: Request, path: string) => path === "/api/health" && (request.method === "GET" || request.method === "HEAD");

export class RequestLimits {
  private readonly inProgress = new Map<string, number>();
  private total = 0;
  /** Requests refused by each limit since start. */
  readonly refusals: Record<RequestLimitName, number> = { headers: 0, in_flight: 0, per_address: 0, body_timeout: 0, probe: 0 };

  constructor(private readonly options: RequestLimitOptions) {}

  /** Requests in progress from one address, or from all of them. */
  requestsInProgress(address?: string): number {
    return address === undefined ? this.total : (this.inProgress.get(address) ?? 0);
  }

  /** Wraps the app's fetch handler for Bun.serve. */
  wrap(handler: Handler): (request: Request, server: Server<unknown>) => Promise<Response | undefined> {
    return (request, server) => this.handle(request, server, handler);
  }

  private refuse(limit: RequestLimitName, request: Request, path: string, address: string, reason: string, error: AppError, headers = {}) {
    this.refusals[limit]++;
    this.options.metrics?.limitRefusals.inc({ limit });
    this.options.logger.info(`${request.method} ${maskPath(path)} ${error.status}`, {
      client: address,
      request_id: requestId(request),
      reason,
    });
    return refusal(request, path, error, headers);
  }

  private async handle(request: Request, server: Server<unknown>, handler: Handler): Promise<Response | undefined> {
    const { bodyTimeoutMs, maxRequestsPerAddress, logger } = this.options;
    const address = identifyClient(request, server, this.options.trustedProxies ?? CidrList.EMPTY).address;
    const path = requestPath(request.url);
    const tooLarge = this.options.headers && headerProblem(request.headers, this.options.headers);
    if (tooLarge)
      return this.refuse("headers", request, path, address, tooLarge, new AppError("headers_too_large"), { connection: "close" });
    const cap = this.options.maxRequestsInFlight ?? 0;
    if (cap > 0 && this.total >= cap && !isLiveness(request, path)) {
      const error = new AppError("unavailable", "The server is busy; try again shortly");
      return this.refuse("in_flight", request, path, address, `${this.total} requests in flight`, error, {
        "retry-after": "1",
        connection: "close",
      });
    }
    const count = this.inProgress.get(address) ?? 0;
    if (maxRequestsPerAddress > 0 && count >= maxRequestsPerAddress) {
      // Closing the connection too: refusing is only worth it if the file descriptor is given back.
      const error = new AppError("too_many_requests", "Too many requests in progress from your address; try again shortly");
      const reason = `${count} requests in progress from this address`;
      return this.refuse("per_address", request, path, address, reason, error, { "retry-after": "1", connection: "close" });
    }
    this.inProgress.set(address, count + 1);
    this.total++;

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
          // Once the answer is out the runtime closes the connection, and the handler's read fails.
          const reason = `the body did not arrive within ${bodyTimeoutMs} ms`;
          resolve(this.refuse("body_timeout", request, path, address, reason, new AppError("request_timeout"), { connection: "close" }));
        }, bodyTimeoutMs);
      });
    }
    try {
      const handled = Promise.resolve(handler(request)).then((response) => response ?? undefined);
      let response = expired ? await Promise.race([handled, expired]) : await handled;
      if (response?.status === 404 && isHookPath(path)) response = await this.unknownHook(request, path, address, response);
      // A body nobody read would otherwise be drained by the runtime, for as long as it trickles in.
      return response && !arrived ? closing(response) : response;
    } catch (error) {
      logger.error(`unhandled error on ${request.method} ${maskPath(path)}`, { error });
      return refusal(request, path, new AppError("internal"), { connection: "close" });
    } finally {
      clearTimeout(timer);
      this.total--;
      const left = (this.inProgress.get(address) ?? 1) - 1;
      if (left > 0) this.inProgress.set(address, left);
      else this.inProgress.delete(address);
    }
  }

  /** The probe throttle's say on an unknown-hook answer. */
  private async unknownHook(request: Request, path: string, address: string, response: Response): Promise<Response> {
    const verdict = this.options.probes?.miss(address) ?? { kind: "answer" };
    if (verdict.kind === "answer") return response;
    if (verdict.kind === "slow") {
      await Bun.sleep(verdict.ms);
      return response;
    }
    if (verdict.blocked)
      this.options.logger.warn("too many requests for unknown hooks: refusing them for a while", {
        client: address,
        seconds: verdict.retryAfterS,
      });
    this.refusals.probe++;
    this.options.metrics?.limitRefusals.inc({ limit: "probe" });
    return refusal(request, path, new AppError("too_many_requests"), { "retry-after": String(verdict.retryAfterS) });
  }
}
