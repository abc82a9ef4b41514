// Helpers for webhook tests: create a webhook through the API and read what was stored.
import type { Event } from "../../src/events/model.ts";
import type { TestApp } from "./app.ts";

export async function createWebhook(t: TestApp, body: Record<string, unknown>) {
  const res = await t.request("POST", "/api/webhooks/", { body: { name: "test hook", ...body } });
  if (res.status !== 201) throw new Error(`create webhook failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; slug: string; url: string; name: string; service_account_id: string | null };
}

/** Sends a request to a hook URL as a sender would (no API key unless given). */
export function hook(
  t: TestApp,
  slug: string,
  init: { method?: string; body?: BodyInit; headers?: Record<string, string>; query?: string } = {},
) {
  const url = `http://localhost/hooks/${slug}${init.query ? `?${init.query}` : ""}`;
  return t.app.handle(new Request(url, { method: init.method ?? "POST", body: init.body, headers: init.headers }));
}

export function storedEvents(t: TestApp): Event[] {
  return (t.ctx.db.$client.query("SELECT data FROM events ORDER BY seq").all() as { data: string }[]).map((r) => JSON.parse(r.data));
}

export const FAILED = "prefect-cloud.webhook.failed";
