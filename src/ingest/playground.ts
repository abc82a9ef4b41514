// The template playground API (/api/templates/…): validate a template, or render it on a sample
// request exactly as ingestion would (nothing is stored). Viewers may use it: it only reads.
import { Elysia, t } from "elysia";
import { accessControl } from "../auth/access.ts";
import { AppError, notFound } from "../errors.ts";
import { renderSample } from "./pipeline.ts";
import { sampleWarnings } from "./warnings.ts";
import type { AppContext } from "../context.ts";
import { LIMITS } from "../templates/render.ts";

export function templateRoutes(ctx: AppContext) {
  return new Elysia({ prefix: "/templates" })
    .use(accessControl(ctx))
    .post(
      "/validate",
      ({ body, set }) => {
        const problem = ctx.templates.validate(body.template);
        if (problem) throw new AppError("template_invalid", problem.message, { line: problem.line });
        set.status = 204;
      },
      { access: "read", body: t.Object({ template: t.String({ maxLength: LIMITS.templateChars }) }) },
    )
    .post(
      "/render",
      ({ body }) => {
        const request = body.request ?? {};
        // With a webhook's id the event names that webhook, exactly as its own requests would.
        const row = body.webhook_id ? ctx.webhooks.get(body.webhook_id) : null;
        if (body.webhook_id && !row) throw notFound("Webhook not found");
        const webhook = row ? { id: row.id, name: row.name } : undefined;
        const sample = {
          method: request.method ?? "POST",
          headers: request.headers ?? {},
          body: request.body ?? "",
          query: request.query ?? {},
        };
        const result = renderSample(body.template, sample, {
          now: ctx.clock.now(),
          webhook,
          compile: (source) => ctx.templates.compile(source),
        });
        // A render that works can still be wrong: say what looks like it.
        return { ...result, warnings: sampleWarnings(sample, result.event) };
      },
      {
        access: "read",
        body: t.Object({
          template: t.String({ maxLength: LIMITS.templateChars }),
          webhook_id: t.Optional(t.String({ maxLength: 100 })),
          request: t.Optional(
            t.Object({
              method: t.Optional(t.String({ minLength: 1, maxLength: 16 })),
              headers: t.Optional(t.Record(t.String(), t.String())),
              body: t.Optional(t.String({ maxLength: ctx.config.maxBodyBytes })),
              query: t.Optional(t.Record(t.String(), t.String())),
            }),
          ),
        }),
      },
    );
}
