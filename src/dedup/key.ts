// A request's dedup key, from its webhook's dedup_key template.
import { TemplateError } from "../templates/render.ts";

/**
 * A request's dedup key: its webhook's dedup_key template rendered on the request, trimmed. A key
 * that fails to render counts as empty, and an empty key never deduplicates.
 */
export function dedupKeyOf(render: () => string): string {
  try {
    return render().trim();
  } catch (err) {
    if (err instanceof TemplateError) return "";
    throw err;
  }
}
