// How a webhook appears as a resource on the events it produces (docs/ingestion.md).
import { RESOURCE_ID, RESOURCE_NAME, RESOURCE_ROLE } from "../events/model.ts";

export interface WebhookIdentity {
  id: string;
  name: string;
}

export const webhookResourceId = (id: string) => `prefect-cloud.webhook.${id}`;

/** The related resource appended to every event a webhook produces. */
export function webhookRelated(webhook: WebhookIdentity): Record<string, string> {
  return { [RESOURCE_ID]: webhookResourceId(webhook.id), [RESOURCE_ROLE]: "webhook", [RESOURCE_NAME]: webhook.name };
}

/** The primary resource of the webhook's own events (failures). */
export function webhookResource(webhook: WebhookIdentity): Record<string, string> {
  return { [RESOURCE_ID]: webhookResourceId(webhook.id), [RESOURCE_NAME]: webhook.name };
}
