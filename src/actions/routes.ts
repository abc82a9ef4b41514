// Destinations: where actions are sent. Admin only, reads included: a destination's settings are
// the context of its secrets. Secrets are write-only (answers list their names in `secrets_set`);
// a webhook destination's signing secret is shown once, on create and on rotation.
import { Elysia, t } from "elysia";
import { accessControl } from "../auth/access.ts";
import type { AppContext } from "../context.ts";
import { invalid, notFound } from "../errors.ts";
import { DESTINATION_TYPES, toView, type Destination, type DestinationType } from "./destinations/model.ts";
import { parseSettings } from "./destinations/validate.ts";

const name = t.String({ minLength: 1, maxLength: 200 });
const type = t.Union(DESTINATION_TYPES.map((v) => t.Literal(v)));
const config = t.Record(t.String(), t.Unknown());

const createBody = t.Object({ name, type, enabled: t.Optional(t.Boolean()), config });
const replaceBody = t.Object({ name, type: t.Optional(type), enabled: t.Optional(t.Boolean()), config });
const patchBody = t.Object({ name: t.Optional(name), enabled: t.Optional(t.Boolean()), config: t.Optional(config) });

export function destinationRoutes(ctx: AppContext) {
  const { destinations } = ctx;
  const templateProblem = (source: string) => ctx.templates.validate(source)?.message ?? null;

  function existing(id: string): Destination {
    const found = destinations.get(id);
    if (!found) throw notFound("Destination not found");
    return found;
  }

  function settingsFor(current: Destination, given: Record<string, unknown>) {
    return parseSettings(current.type, given, templateProblem, current.secrets as Record<string, unknown>);
  }

  function change(current: Destination, body: { name?: string; enabled?: boolean }, config: Record<string, unknown>) {
    const settings = settingsFor(current, config);
    const updated = destinations.update(current.id, {
      name: body.name ?? current.name,
      enabled: body.enabled ?? current.enabled,
      ...settings,
    });
    if (!updated) throw notFound("Destination not found");
    // A destination enabled again sends what is pending for it.
    if (updated.enabled && !current.enabled) ctx.deliveryWorker.wake();
    return toView(updated);
  }

  return new Elysia({ prefix: "/destinations" })
    .use(accessControl(ctx))
    .get("/", () => destinations.list().map(toView), { access: "admin" })
    .post(
      "/",
      ({ body, set }) => {
        const settings = parseSettings(body.type as DestinationType, body.config, templateProblem);
        const { destination, signingSecret } = destinations.create({
          name: body.name,
          type: body.type as DestinationType,
          enabled: body.enabled ?? true,
          ...settings,
        });
        set.status = 201;
        return { ...toView(destination), ...(signingSecret ? { signing_secret: signingSecret } : {}) };
      },
      { access: "admin", body: createBody },
    )
    .get("/:id", ({ params }) => toView(existing(params.id)), { access: "admin" })
    .put(
      "/:id",
      ({ params, body }) => {
        const current = existing(params.id);
        if (body.type !== undefined && body.type !== current.type) throw invalid("type: a destination's type cannot change");
        return change(current, body, body.config);
      },
      { access: "admin", body: replaceBody },
    )
    .patch(
      "/:id",
      ({ params, body }) => {
        const current = existing(params.id);
        // The shown settings are kept unless given; secrets are kept anyway.
        return change(current, body, { ...current.config, ...body.config });
      },
      { access: "admin", body: patchBody },
    )
    .delete(
      "/:id",
      ({ params, set }) => {
        if (!destinations.delete(params.id)) throw notFound("Destination not found");
        set.status = 204;
      },
      { access: "admin" },
    )
    .post(
      "/:id/test",
      async ({ params }) => {
        const attempt = await ctx.deliveryWorker.sendTest(existing(params.id));
        return {
          ok: attempt.ok,
          status_code: attempt.statusCode,
          duration_ms: attempt.durationMs,
          error: attempt.error,
          response: attempt.response,
        };
      },
      { access: "admin" },
    )
    .post(
      "/:id/rotate-secret",
      ({ params }) => {
        const current = existing(params.id);
        if (current.type !== "webhook") throw invalid("only webhook destinations have a signing secret");
        return { signing_secret: destinations.rotateSigningSecret(current.id) };
      },
      { access: "admin" },
    )
    .post(
      "/:id/retry-failed",
      ({ params, body }) => {
        existing(params.id);
        const since = Date.parse(body.since);
        if (Number.isNaN(since)) throw invalid("since: must be an ISO-8601 time");
        const retried = ctx.deliveries.retryFailedSince(params.id, since, ctx.clock.now());
        if (retried > 0) ctx.deliveryWorker.wake();
        return { retried };
      },
      { access: "admin", body: t.Object({ since: t.String({ maxLength: 64 }) }) },
    );
}
