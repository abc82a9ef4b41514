// GET /metrics: the Prometheus exposition. Off unless configured: on the main listener it needs
// --metrics-token (sent as `Authorization: Bearer <token>`), and --metrics-listen serves it on a
// listener of its own (metrics/listener.ts), which a firewall can keep to the scraper. Without
// either, /metrics answers 404 like any unknown path.
import { createHash, timingSafeEqual } from "node:crypto";
import { Elysia } from "elysia";
import { accessControl } from "../auth/access.ts";
import { bearerToken } from "../auth/keys.ts";
import type { AppContext } from "../context.ts";
import { AppError, errorResponse } from "../errors.ts";
import type { Metrics } from "./metrics.ts";

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Whether the request carries the token; digests first, so that neither content nor length leaks through timing. */
export function hasMetricsToken(request: Request, token: string): boolean {
  const given = bearerToken(request.headers.get("authorization"));
  return given !== null && timingSafeEqual(digest(given), digest(token));
}

/** The scrape's answer. */
export async function scrape(metrics: Metrics): Promise<Response> {
  const { text, contentType } = await metrics.render();
  return new Response(text, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}

/** GET /metrics, answered by `token` (or 404 with none); the separate listener answers the same way. */
export async function metricsAnswer(request: Request, metrics: Metrics, token: string | null, open: boolean): Promise<Response> {
  if (!token && !open) return errorResponse(new AppError("not_found"));
  if (token && !hasMetricsToken(request, token)) {
    return errorResponse(new AppError("unauthorized", "This needs Authorization: Bearer <metrics token>"), {
      "www-authenticate": 'Bearer realm="metrics"',
    });
  }
  return scrape(metrics);
}

// Public as routes go: the metrics token is its own credential, checked here (API keys and sessions
// do not open it, so that a scraper's secret opens nothing else).
export function metricsRoutes(ctx: AppContext) {
  return new Elysia()
    .use(accessControl())
    .get("/metrics", ({ request }) => metricsAnswer(request, ctx.metrics, ctx.config.metricsToken, false), { access: "public" });
}
