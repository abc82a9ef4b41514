// What the playground points out about a render that succeeded but probably should not have: a
// body the template could not read as its Content-Type says, and names or resource ids with an
// empty part, which is what printing an undefined value (a key the body lacks) leaves behind.
import type { Event } from "../events/model.ts";
import { isJsonType } from "../json.ts";
import type { SampleRequest } from "./pipeline.ts";
import { parseBody } from "./body.ts";

const RESOURCE_ID = "prefect.resource.id";

/** "github." or ".x" or "a..b": a dotted name with a part left empty. */
const hasEmptyPart = (name: string) => name === "" || name.startsWith(".") || name.endsWith(".") || name.includes("..");

export function sampleWarnings(sample: SampleRequest, event: Event | null): string[] {
  const warnings: string[] = [];
  const contentType = Object.entries(sample.headers).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? null;
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (isJsonType(type) && sample.body.trim() !== "" && typeof parseBody(contentType, new TextEncoder().encode(sample.body)) === "string") {
    warnings.push(
      `The body is not valid JSON, though its Content-Type is ${type}: the template sees it as text, so every body.… key is undefined`,
    );
  }
  if (!event) return warnings;
  const undefinedHint = "a value the template printed was probably undefined (a key the request lacks)";
  if (hasEmptyPart(event.event)) warnings.push(`The event name "${event.event}" has an empty part: ${undefinedHint}`);
  const resources = [["resource", event.resource], ...event.related.map((r, i) => [`related[${i}]`, r] as const)] as const;
  for (const [where, resource] of resources) {
    const id = resource[RESOURCE_ID] ?? "";
    // The webhook's own related resource is added by Inlet, never printed by the template.
    if (resource["prefect.resource.role"] === "webhook" && id.startsWith("prefect-cloud.webhook.")) continue;
    if (hasEmptyPart(id)) warnings.push(`The ${where} id "${id}" has an empty part: ${undefinedHint}`);
  }
  return warnings;
}
