// createApp: mounts every route, the API guard and the error handler. It never listens.
import { Elysia } from "elysia";
import { requireAdmin } from "./auth/guard.ts";
import { serviceAccountRoutes } from "./auth/routes.ts";
import type { AppContext } from "./context.ts";
import { AppError, errorResponse } from "./errors.ts";
import { eventRoutes } from "./events/routes.ts";

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

export function createApp(ctx: AppContext) {
  const started = new WeakMap<Request, number>();

  return new Elysia()
    .onRequest(({ request }) => {
      started.set(request, performance.now());
    })
    .onAfterResponse(({ request, set, path }) => {
      const t0 = started.get(request);
      const ms = t0 === undefined ? undefined : (performance.now() - t0).toFixed(1);
      ctx.logger.info(`${request.method} ${maskPath(path)} ${set.status ?? 200}`, { ms });
    })
    .onError(({ code, error, request, path }) => {
      if (error instanceof AppError) return errorResponse(error);
      switch (code) {
        case "NOT_FOUND":
          return errorResponse(new AppError("not_found"));
        case "PARSE":
          return errorResponse(new AppError("invalid_json"));
        case "VALIDATION":
          return errorResponse(new AppError("validation", validationMessage(error)));
      }
      ctx.logger.error(`unhandled error on ${request.method} ${maskPath(path)}`, { error });
      return errorResponse(new AppError("internal"));
    })
    .get("/api/health", () => {
      try {
        ctx.db.$client.query("SELECT 1").get();
        return { status: "ok", database: "ok" };
      } catch (error) {
        ctx.logger.error("health check: database unreachable", { error });
        return Response.json({ status: "unavailable", database: "unreachable" }, { status: 503 });
      }
    })
    .group("/api", (api) =>
      api
        .onBeforeHandle(({ request }) => {
          requireAdmin(ctx, request);
        })
        .use(eventRoutes(ctx))
        .use(serviceAccountRoutes(ctx)),
    );
}

export type App = ReturnType<typeof createApp>;
