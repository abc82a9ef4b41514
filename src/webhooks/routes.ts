// Webhook management, in Prefect Cloud's API shape, and the server-wide settings.
import { Elysia, t } from "elysia";
import { accessControl } from "../auth/access.ts";
import { callerOf } from "../auth/guard.ts";
import type { AppContext } from "../context.ts";
import { AppError, invalid, notFound } from "../errors.ts";
import { LIMITS } from "../templates/render.ts";
import type { Webhook, WebhookInput, WebhookRow } from "./store.ts";

const DEFAULT_RECENT_REQUESTS = 20;
const MAX_RECENT_REQUESTS = 100;
import { parseVerification, type Verification } from "../verification/model.ts";
import { SecretKeyError } from "../verification/secret-box.ts";

const name = t.String({ minLength: 1, maxLength: 200 });
const description = t.String({ maxLength: 5000 });
const template = t.String({ minLength: 1, maxLength: LIMITS.templateChars });
const serviceAccountId = t.Nullable(t.String({ maxLength: 100 }));
// Checked by parseVerification, so that a 422 names the field inside it.
const verification = t.Unknown();
const dedupKey = t.Nullable(t.String({ maxLength: 1000 }));

const createBody = t.Object({
  name,
  template,
  description: t.Optional(description),
  enabled: t.Optional(t.Boolean()),
  service_account_id: t.Optional(serviceAccountId),
  verification: t.Optional(verification),
  dedup_key: t.Optional(dedupKey),
});
const replaceBody = t.Object({
  name,
  description,
  template,
  enabled: t.Optional(t.Boolean()),
  service_account_id: t.Optional(serviceAccountId),
  verification: t.Optional(verification),
  dedup_key: t.Optional(dedupKey),
});
const patchBody = t.Partial(replaceBody);
// A null body means no criteria (Prefect's client may send one); it becomes an empty one before
// validation, so that a bad field is reported by name rather than as a union mismatch.
const filterBody = t.Optional(
  t.Object({
    limit: t.Optional(t.Integer({ minimum: 0, maximum: 1000 })),
    offset: t.Optional(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    webhooks: t.Optional(
      t.Object({
        name: t.Optional(t.Object({ any_: t.Optional(t.Nullable(t.Array(t.String()))) })),
      }),
    ),
  }),
);

/** How much of a slug a viewer sees: enough to tell webhooks apart, far too little to send to one. */
const SHOWN_SLUG_CHARS = 4;

/**
 * A webhook as the caller may see it. For a webhook without a service account the URL is the
 * credential, so only admins see it whole; others get its start, as keys are shown.
 */
function visibleTo(request: Request, webhook: Webhook): Webhook {
  if (callerOf(request)?.role === "admin") return webhook;
  const shown = `${webhook.slug.slice(0, SHOWN_SLUG_CHARS)}…`;
  return { ...webhook, slug: shown, url: webhook.url.slice(0, -webhook.slug.length) + shown };
}

const ENFORCE_MESSAGE =
  "enforce_webhook_auth is on: every webhook needs a service account (service_account_id) or signature verification (verification)";

type WebhookBody = Partial<{
  name: string;
  description: string;
  template: string;
  enabled: boolean;
  service_account_id: string | null;
  verification: unknown;
  dedup_key: string | null;
}>;

export function webhookRoutes(ctx: AppContext) {
  const { webhooks, serviceAccounts, settings } = ctx;

  function checkTemplate(source: string | undefined): void {
    if (source === undefined) return;
    const problem = ctx.templates.validate(source);
    if (problem) throw new AppError("template_invalid", problem.message, { line: problem.line });
  }

  function checkServiceAccount(id: string | null | undefined): void {
    if (id && !serviceAccounts.get(id)) throw invalid("service_account_id: no service account has this id");
  }

  function checkDedupKey(source: string | null | undefined): void {
    if (!source) return;
    if (!source.includes("{{") && !source.includes("{%"))
      throw invalid("dedup_key: must be a template expression, such as {{ headers['x-github-delivery'] }}");
    const problem = ctx.templates.validate(source);
    if (problem) throw invalid(`dedup_key: ${problem.message}`, { line: problem.line });
  }

  /** A verification sealed with another key (a restore without secrets.key) has no secrets to keep. */
  function openedOrNull(sealed: string): Verification | null {
    try {
      return ctx.secrets.open(sealed);
    } catch (err) {
      if (err instanceof SecretKeyError) return null;
      throw err;
    }
  }

  /** The sealed verification a body asks for; undefined when it leaves it unchanged. */
  function sealedVerification(body: WebhookBody, current: WebhookRow | null): string | null | undefined {
    if (!("verification" in body) || body.verification === undefined) return undefined;
    const before = current?.verification ? openedOrNull(current.verification) : null;
    const next = parseVerification(body.verification, before);
    return next ? ctx.secrets.seal(next) : null;
  }

  /** The rule of enforce_webhook_auth, applied to the webhook as it would be after the change. */
  function checkEnforcement(
    next: { enabled: boolean; serviceAccountId: string | null; verification?: string | null },
    creating: boolean,
  ): void {
    if (!settings.get().enforce_webhook_auth || next.serviceAccountId || next.verification) return;
    if (creating || next.enabled) throw new AppError("rule_violation", ENFORCE_MESSAGE);
  }

  function existing(id: string): WebhookRow {
    const row = webhooks.get(id);
    if (!row) throw notFound("Webhook not found");
    return row;
  }

  function change(id: string, body: WebhookBody) {
    const current = existing(id);
    checkTemplate(body.template);
    checkServiceAccount(body.service_account_id);
    checkDedupKey(body.dedup_key);
    const changes: Partial<WebhookInput> = {};
    const sealed = sealedVerification(body, current);
    if (sealed !== undefined) changes.verification = sealed;
    if (body.dedup_key !== undefined) changes.dedupKey = body.dedup_key || null;
    if (body.name !== undefined) changes.name = body.name;
    if (body.description !== undefined) changes.description = body.description;
    if (body.template !== undefined) changes.template = body.template;
    if (body.enabled !== undefined) changes.enabled = body.enabled;
    if (body.service_account_id !== undefined) changes.serviceAccountId = body.service_account_id;
    checkEnforcement(
      {
        enabled: changes.enabled ?? current.enabled,
        serviceAccountId: changes.serviceAccountId === undefined ? current.serviceAccountId : changes.serviceAccountId,
        verification: changes.verification === undefined ? current.verification : changes.verification,
      },
      false,
    );
    webhooks.update(id, changes);
  }

  return (
    new Elysia({ prefix: "/webhooks" })
      .use(accessControl(ctx))
      .post(
        "/",
        ({ body, set, request }) => {
          checkTemplate(body.template);
          checkServiceAccount(body.service_account_id);
          checkDedupKey(body.dedup_key);
          const input: WebhookInput = {
            name: body.name,
            description: body.description ?? "",
            template: body.template,
            enabled: body.enabled ?? true,
            serviceAccountId: body.service_account_id ?? null,
            verification: sealedVerification(body, null) ?? null,
            dedupKey: body.dedup_key || null,
          };
          checkEnforcement(input, true);
          set.status = 201;
          return visibleTo(request, webhooks.toApi(webhooks.create(input)));
        },
        { access: "write", body: createBody },
      )
      .post(
        "/filter",
        ({ body, request }) => {
          const names = body?.webhooks?.name?.any_ ?? undefined;
          return webhooks.list({ names, limit: body?.limit, offset: body?.offset }).map((row) => visibleTo(request, webhooks.toApi(row)));
        },
        {
          access: "read",
          body: filterBody,
          transform: (c) => {
            if (c.body === null) c.body = {};
          },
        },
      )
      .get("/:id", ({ params, request }) => visibleTo(request, webhooks.toApi(existing(params.id))), { access: "read" })
      // The requests behind this webhook's most recent events (kept for --raw-retention-days): the
      // playground's "Load a recent request".
      .get(
        "/:id/requests",
        async ({ params, query }) => {
          existing(params.id);
          const raw = query.limit ?? String(DEFAULT_RECENT_REQUESTS);
          const limit = /^\d{1,3}$/.test(raw) ? Number(raw) : 0;
          if (limit < 1 || limit > MAX_RECENT_REQUESTS) throw invalid(`limit: must be a whole number from 1 to ${MAX_RECENT_REQUESTS}`);
          return { requests: await ctx.events.recentRequests(params.id, limit) };
        },
        { access: "read", query: t.Object({ limit: t.Optional(t.String()) }) },
      )
      .put(
        "/:id",
        ({ params, body, set }) => {
          change(params.id, body);
          set.status = 204;
        },
        { access: "write", body: replaceBody },
      )
      .patch(
        "/:id",
        ({ params, body, set }) => {
          change(params.id, body);
          set.status = 204;
        },
        { access: "write", body: patchBody },
      )
      .delete(
        "/:id",
        ({ params, set }) => {
          if (!webhooks.delete(params.id)) throw notFound("Webhook not found");
          set.status = 204;
        },
        { access: "write" },
      )
      .post(
        "/:id/rotate",
        ({ params, request }) => {
          const row = webhooks.rotate(params.id);
          if (!row) throw notFound("Webhook not found");
          return visibleTo(request, webhooks.toApi(row));
        },
        { access: "write" },
      )
  );
}

const SETTINGS_KEYS = new Set(["enforce_webhook_auth", "retention_days"]);

export function settingsRoutes(ctx: AppContext) {
  // retention_days is shown, not set here: it is a server option (--retention-days).
  const view = () => ({ ...ctx.settings.get(), retention_days: ctx.config.retentionDays });
  return new Elysia({ prefix: "/settings" })
    .use(accessControl(ctx))
    .get("/", view, { access: "read" })
    .patch(
      "/",
      ({ body }) => {
        if (body.retention_days !== undefined) {
          throw invalid("retention_days: is a server option (--retention-days or INLET_RETENTION_DAYS) and cannot be changed here");
        }
        if (body.enforce_webhook_auth !== undefined) {
          const disabled = ctx.webhooks.setEnforceAuth(body.enforce_webhook_auth, ctx.settings);
          if (disabled > 0) ctx.logger.info("enforce_webhook_auth: disabled webhooks without a service account", { count: disabled });
        }
        return view();
      },
      {
        access: "write",
        body: t.Object({ enforce_webhook_auth: t.Optional(t.Boolean()), retention_days: t.Optional(t.Unknown()) }),
        // Validation drops unknown keys; a misspelt setting must be refused, not ignored.
        transform: ({ body }) => {
          const unknown = body && typeof body === "object" ? Object.keys(body).filter((k) => !SETTINGS_KEYS.has(k)) : [];
          if (unknown.length > 0) throw invalid(`${unknown[0]}: is not a setting (settings: ${[...SETTINGS_KEYS].join(", ")})`);
        },
      },
    );
}
