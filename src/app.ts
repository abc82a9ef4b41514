// createApp: mounts every route (each declares its access level) and the error handler. It never listens.
import { Elysia } from "elysia";
import { deliveryRoutes } from "./actions/delivery-routes.ts";
import { destinationRoutes } from "./actions/routes.ts";
import { accessControl, requireDeclaredAccess } from "./auth/access.ts";
import { automationRoutes } from "./automations/routes.ts";
import { dryRunRoutes } from "./automations/engine/dry-run-route.ts";
import { clientOf } from "./auth/client-address.ts";
import { serviceAccountRoutes } from "./auth/routes.ts";
import { authRoutes, userRoutes } from "./auth/user-routes.ts";
import type { AppContext } from "./context.ts";
import { databaseReadiness, pingDatabase } from "./db/open.ts";
import { AppError, errorResponse, hookResponse, statusOf } from "./errors.ts";
import { eventRoutes } from "./events/routes.ts";
import { MAX_EVENT_DEPTH } from "./events/model.ts";
import { feedSseRoutes } from "./feed/sse.ts";
import { feedWsRoutes } from "./feed/websocket.ts";
import { edgeHeaders, edgeRefusal, refusalResponse, requestPath } from "./http/edge.ts";
import { parseApiBody } from "./http/json-body.ts";
import { requestId } from "./http/request-id.ts";
import { uiRoutes } from "./ui.ts";
import { metricsRoutes } from "./metrics/routes.ts";
import { ingestRoutes } from "./ingest/routes.ts";
import { templateRoutes } from "./ingest/playground.ts";
import { settingsRoutes, webhookRoutes } from "./webhooks/routes.ts";
import { backupRoutes } from "./settings/backup-route.ts";
import { suppressedFailureRoutes } from "./ingest/suppressed-route.ts";
import { replayRoutes } from "./replay/routes.ts";

/** Log lines must not carry the secret part of hook URLs. */
export function maskPath(path: string): string {
  return path.replace(/^\/hooks\/[^/?#]+/, "/hooks/***");
}

function validationMessage(error: unknown): string {
  const first = (error as { all?: { path?: string; message?: string; summary?: string }[] }).all?.[0];
  if (!first) return "The request is invalid";
  const path = first.path ? first.path.replace(/^\//, "").replaceAll("/", ".") : "body";
  return `${path || "body"}: ${first.summary ?? first.message ?? "is invalid"}`;
}

/** The error behind a failed parse hook: ours (a bound, a wrong type) or the runtime's (bad JSON). */
const parseProblem = (error: unknown) =>
  (error as { cause?: unknown }).cause instanceof AppError ? (error as { cause: AppError }).cause : new AppError("invalid_json");

export function createApp(ctx: AppContext) {
  const started = new WeakMap<Request, number>();
  const logRequest = (request: Request, status: number | string, fields: Record<string, string> = {}) => {
    const t0 = started.get(request);
    const ms = t0 === undefined ? undefined : (performance.now() - t0).toFixed(1);
    ctx.logger.info(`${request.method} ${maskPath(requestPath(request.url))} ${status}`, {
      ms,
      request_id: requestId(request),
      client: clientOf(request, app.server).address,
      ...fields,
    });
  };
  const bodies = parseApiBody({
    maxBytes: ctx.config.apiMaxJsonBytes,
    maxDepth: ctx.config.apiMaxJsonDepth,
    // A batch of events, read with integers past 2^53 kept exact; events nest as deep as storage allows.
    selfParsed: new Map([["POST /api/events/", MAX_EVENT_DEPTH + 1]]),
  });

  // The management API, sign-in and the live feed. The body bound is local to this instance: hooks
  // read their own bodies (with their own bound) and the UI takes none.
  const api = new Elysia()
    .onParse(bodies)
    .use(accessControl(ctx))
    .get(
      "/api/health",
      () => {
        try {
          pingDatabase(ctx.db);
          return { status: "ok", database: "ok" };
        } catch (error) {
          ctx.logger.error("health check: database unreachable", { error });
          return Response.json({ status: "unavailable", database: "unreachable" }, { status: statusOf("unavailable") });
        }
      },
      { access: "public" },
    )
    // Ready to take events: the database takes a write now and has this binary's schema. Health
    // says the process is alive; a load balancer or an orchestrator asks this one before sending.
    .get(
      "/api/ready",
      () => {
        const readiness = databaseReadiness(ctx.db);
        const ready = readiness.database === "writable" && readiness.migrations === "current";
        if (!ready) ctx.logger.warn("readiness check: not ready", { ...readiness });
        return Response.json({ status: ready ? "ready" : "unavailable", ...readiness }, { status: ready ? 200 : statusOf("unavailable") });
      },
      { access: "public" },
    )
    .use(authRoutes(ctx))
    .use(feedWsRoutes(ctx))
    .group("/api", (group) =>
      group
        .use(feedSseRoutes(ctx))
        .use(eventRoutes(ctx))
        .use(serviceAccountRoutes(ctx))
        .use(userRoutes(ctx))
        .use(webhookRoutes(ctx))
        .use(settingsRoutes(ctx))
        .use(templateRoutes(ctx))
        .use(destinationRoutes(ctx))
        .use(deliveryRoutes(ctx))
        .use(backupRoutes(ctx))
        .use(suppressedFailureRoutes(ctx))
        .use(automationRoutes(ctx))
        .use(dryRunRoutes(ctx))
        .use(replayRoutes(ctx)),
    );

  // See src/http/edge.ts for why the router must not assume a long host name.
  const app = new Elysia({ handler: { standardHostname: false } })
    .onRequest((context) => {
      // Elysia hands this hook the path it routes on, though its type for the hook leaves it out.
      const { request, set, path } = context as typeof context & { path: string };
      started.set(request, performance.now());
      const headers = edgeHeaders(requestPath(request.url));
      if (headers) Object.assign(set.headers, headers);
      set.headers["x-request-id"] = requestId(request);
      const refusal = edgeRefusal(ctx.config, request, path);
      if (refusal) {
        // Answered here, before routing: the after-response log does not see it.
        logRequest(request, refusal.status, { refused: refusal.code });
        const response = refusalResponse(request, refusal);
        response.headers.set("x-request-id", requestId(request));
        return response;
      }
    })
    .onAfterResponse(({ request, set, responseValue }) => {
      // A handler that returns a Response sets its status there, not on `set`.
      logRequest(request, responseValue instanceof Response ? responseValue.status : (set.status ?? 200));
    })
    .onError(({ code, error, request }) => {
      const path = requestPath(request.url);
      // Hook URLs stay quiet whatever happens: a status and an empty body.
      if (path.startsWith("/hooks/")) {
        if (code !== "NOT_FOUND") ctx.logger.error(`unhandled error on ${request.method} ${maskPath(path)}`, { error });
        return hookResponse(code === "NOT_FOUND" ? "not_found" : "internal");
      }
      if (error instanceof AppError) return errorResponse(error);
      switch (code) {
        case "NOT_FOUND":
          return errorResponse(new AppError("not_found"));
        case "PARSE":
          return errorResponse(parseProblem(error));
        case "VALIDATION":
          return errorResponse(new AppError("validation", validationMessage(error)));
      }
      ctx.logger.error(`unhandled error on ${request.method} ${maskPath(path)}`, { error });
      return errorResponse(new AppError("internal"));
    })
    .use(api)
    .use(ingestRoutes(ctx))
    .use(metricsRoutes(ctx))
    // The admin SPA last: its catch-all must not shadow any route above.
    .use(uiRoutes());
  requireDeclaredAccess(app.routes);
  return app;
}

export type App = ReturnType<typeof createApp>;
