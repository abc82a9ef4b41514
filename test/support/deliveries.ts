// Looking at deliveries from a test: an automation's deliveries as the store has them, and
// waiting for one to reach a state.
import type { AppContext } from "../../src/context.ts";
import type { AttemptRow, DeliveryRow } from "../../src/actions/store/deliveries.ts";
import { waitUntil } from "./wait.ts";

export function deliveriesOf(ctx: AppContext, automationId: string): DeliveryRow[] {
  return ctx.deliveries.pageForAutomation(automationId, 1000, null).map((d) => d.delivery);
}

/** Waits until the delivery has `attempts` attempts recorded (and is no longer in flight), and returns it. */
export async function afterAttempts(ctx: AppContext, id: string, attempts: number): Promise<DeliveryRow> {
  await waitUntil(
    () => (ctx.deliveries.get(id)?.attemptCount ?? 0) >= attempts && ctx.deliveryWorker.busy === 0,
    `${attempts} attempts of ${id}`,
  );
  return ctx.deliveries.get(id)!;
}

export async function settled(ctx: AppContext, id: string): Promise<DeliveryRow> {
  await waitUntil(() => ctx.deliveries.get(id)?.status !== "pending" && ctx.deliveryWorker.busy === 0, `delivery ${id} to settle`);
  return ctx.deliveries.get(id)!;
}

export const attemptsOf = (ctx: AppContext, id: string): AttemptRow[] => ctx.deliveries.attemptsOf(id);
