// Automation management, in Prefect's API shape. Routes parse (validate.ts), call the store, and
// flush the lifecycle event the store staged, so that the event is stored when the client hears
// back. Each answer is the automation plus `status`, the engine's view of it (read-only).
import { Elysia, t } from "elysia";
import { accessControl } from "../auth/access.ts";
import type { AppContext } from "../context.ts";
import { invalid, notFound } from "../errors.ts";
import { isUuid } from "./fields.ts";
import type { Automation } from "./model.ts";
import type { AutomationSort } from "./store/automations.ts";
import { relatedResourceIds } from "./related.ts";
import { parseAutomation, parseEnabledPatch } from "./validate.ts";

/** Prefect's page bound for automations. */
export const MAX_AUTOMATIONS_PAGE = 200;

const SORTS: AutomationSort[] = ["NAME_ASC", "NAME_DESC", "CREATED_DESC", "UPDATED_DESC"];

// A null body means no criteria (Prefect's client may send one). Prefect's other criteria
// (operator, created, tags) are not applied.
const filterBody = t.Optional(
  t.Object({
    sort: t.Optional(t.Union(SORTS.map((s) => t.Literal(s)))),
    limit: t.Optional(t.Integer({ minimum: 0, maximum: MAX_AUTOMATIONS_PAGE })),
    offset: t.Optional(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    automations: t.Optional(
      t.Nullable(
        t.Object({
          name: t.Optional(
            t.Nullable(t.Object({ any_: t.Optional(t.Nullable(t.Array(t.String({ maxLength: 200 }), { maxItems: 200 }))) })),
          ),
        }),
      ),
    ),
  }),
);

export function automationRoutes(ctx: AppContext) {
  const { automations } = ctx;
  const checkTemplate = (source: string) => ctx.templates.validate(source);

  const answer = (automation: Automation) => ({ ...automation, status: ctx.engine?.statusOf(automation.id) ?? null });

  function idOf(params: { id: string }): string {
    if (!isUuid(params.id)) throw invalid("id: must be a UUID");
    return params.id.toLowerCase();
  }

  function existing(id: string): Automation {
    const automation = automations.get(id);
    if (!automation) throw notFound("Automation not found");
    return automation;
  }

  /** Hands the change's lifecycle event to the event store; if that fails the change stands and the event stays staged for the next flush. */
  async function recorded(): Promise<void> {
    await ctx.staged.flush(ctx.events).catch((error) => ctx.logger.error("could not write an automation's lifecycle event", { error }));
  }

  return new Elysia({ prefix: "/automations" })
    .use(accessControl(ctx))
    .post(
      "/",
      async ({ body, set }) => {
        const created = automations.create(parseAutomation(body, { checkTemplate }));
        await recorded();
        set.status = 201;
        return answer(created);
      },
      { access: "write" },
    )
    .post(
      "/filter",
      ({ body }) =>
        automations
          .filter({ sort: body?.sort, limit: body?.limit, offset: body?.offset, names: body?.automations?.name?.any_ ?? undefined })
          .map(answer),
      {
        access: "read",
        body: filterBody,
        transform: (c) => {
          if (c.body === null) c.body = {};
        },
      },
    )
    .post("/count", () => automations.count(), { access: "read" })
    .get(
      "/related-to/:resource_id",
      ({ params }) =>
        automations
          .list()
          .filter((a) => relatedResourceIds(a).includes(params.resource_id))
          .map(answer),
      { access: "read" },
    )
    .delete(
      "/owned-by/:resource_id",
      async ({ params, set }) => {
        automations.deleteOwnedBy(params.resource_id);
        await recorded();
        set.status = 202;
      },
      { access: "write" },
    )
    .get("/:id", ({ params }) => answer(existing(idOf(params))), { access: "read" })
    .put(
      "/:id",
      async ({ params, body, set }) => {
        const id = idOf(params);
        const core = parseAutomation(body, { checkTemplate, current: existing(id) });
        if (!automations.replace(id, core)) throw notFound("Automation not found");
        await recorded();
        set.status = 204;
      },
      { access: "write" },
    )
    .patch(
      "/:id",
      async ({ params, body, set }) => {
        const id = idOf(params);
        const enabled = parseEnabledPatch(body);
        if (!automations.setEnabled(id, enabled)) throw notFound("Automation not found");
        await recorded();
        set.status = 204;
      },
      { access: "write" },
    )
    .delete(
      "/:id",
      async ({ params, set }) => {
        if (!automations.delete(idOf(params))) throw notFound("Automation not found");
        await recorded();
        set.status = 204;
      },
      { access: "write" },
    );
}
