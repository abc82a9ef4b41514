// Service accounts API: keys are returned once, at creation and rotation.
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { accessControl } from "./access.ts";
import { ROLES } from "./service-accounts.ts";

export function serviceAccountRoutes(ctx: AppContext) {
  return new Elysia({ prefix: "/service-accounts" })
    .use(accessControl(ctx))
    .post(
      "/",
      ({ body, set }) => {
        set.status = 201;
        return ctx.serviceAccounts.create(body.name, body.role ?? "admin");
      },
      {
        access: "write",
        body: t.Object(
          {
            name: t.String({ minLength: 1, maxLength: 200 }),
            role: t.Optional(t.UnionEnum(ROLES as ["admin", "webhook"])),
          },
          { additionalProperties: false },
        ),
      },
    )
    .get("/", () => ctx.serviceAccounts.list(), { access: "read" })
    .get("/:id", ({ params }) => ctx.serviceAccounts.get(params.id) ?? Promise.reject(notFound("Service account not found")), {
      access: "read",
    })
    .delete(
      "/:id",
      ({ params, set }) => {
        if (!ctx.serviceAccounts.delete(params.id)) throw notFound("Service account not found");
        set.status = 204;
      },
      { access: "write" },
    )
    .post(
      "/:id/rotate-key",
      ({ params }) => ctx.serviceAccounts.rotateKey(params.id) ?? Promise.reject(notFound("Service account not found")),
      { access: "write" },
    );
}
