// POST /api/automations/dry-run: "test against recent events". The automation is parsed as on save,
// its trigger replayed over the most recent stored events by a throwaway evaluator, and the firings
// it would have had are answered; nothing is recorded or sent. Viewers may test.
import { Elysia } from "elysia";
import { accessControl } from "../../auth/access.ts";
import type { AppContext } from "../../context.ts";
import { invalid } from "../../errors.ts";
import { isJsonObject } from "../../json.ts";
import { parseAutomation } from "../validate.ts";
import { MAX_DRY_RUN_EVENTS } from "./dry-run.ts";

/** Events replayed when the body names no limit. */
export const DEFAULT_DRY_RUN_EVENTS = 1000;

function limitOf(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_DRY_RUN_EVENTS;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_DRY_RUN_EVENTS) {
    throw invalid(`limit: must be a whole number from 1 to ${MAX_DRY_RUN_EVENTS}`);
  }
  return value;
}

export function dryRunRoutes(ctx: AppContext) {
  return new Elysia({ prefix: "/automations" }).use(accessControl(ctx)).post(
    "/dry-run",
    ({ body }) => {
      if (!isJsonObject(body)) throw invalid("body: must be an object with the automation to test");
      const limit = limitOf(body.limit);
      if (body.automation === undefined) throw invalid("automation: Field required");
      const automation = parseAutomation(body.automation, { checkTemplate: (source) => ctx.templates.validate(source) });
      return ctx.engine.dryRun(automation, { limit });
    },
    { access: "read" },
  );
}
