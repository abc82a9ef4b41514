// --metrics-listen HOST:PORT: /metrics on a listener of its own, for a scraper on another interface
// (or a firewall rule) while the main listener faces senders. It answers GET /metrics and nothing
// else; with --metrics-token set, it asks for the token too.
import type { Server } from "bun";
import type { Logger } from "../log.ts";
import type { Metrics } from "./metrics.ts";
import { parseListen } from "./listen-address.ts";
import { metricsAnswer } from "./routes.ts";

export interface MetricsListener {
  url: string;
  stop(): Promise<void>;
}

export function startMetricsListener(listen: string, metrics: Metrics, token: string | null, logger: Logger): MetricsListener {
  const { host, port } = parseListen(listen)!;
  let server: Server<unknown>;
  try {
    server = Bun.serve({
      hostname: host,
      port,
      reusePort: false,
      development: false,
      maxRequestBodySize: 1024,
      fetch(request) {
        const path = new URL(request.url).pathname;
        if (path !== "/metrics" || (request.method !== "GET" && request.method !== "HEAD"))
          return new Response("Not found\n", { status: 404 });
        return metricsAnswer(request, metrics, token, true);
      },
      error: (error) => {
        logger.error("metrics listener error", { error });
        return new Response(null, { status: 500 });
      },
    });
  } catch (err) {
    throw new Error(`cannot listen for metrics on ${listen}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const shown = server.hostname?.includes(":") ? `[${server.hostname}]` : server.hostname;
  const url = `http://${shown}:${server.port}/metrics`;
  logger.info(`metrics on ${url}`);
  return { url, stop: () => server.stop(true) };
}
