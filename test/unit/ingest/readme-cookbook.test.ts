// The README's template cookbook must stay true: each recipe renders a valid event for the request
// it describes.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HTTP, CloudEvent } from "cloudevents";
import { renderSample, type SampleRequest } from "../../../src/ingest/pipeline.ts";

const readme = readFileSync(join(import.meta.dir, "../../../README.md"), "utf8");
const cookbook = readme.slice(readme.indexOf("### Cookbook"));
const recipes = [...cookbook.matchAll(/```jinja\n([\s\S]*?)```/g)].map((m) => m[1]!);

const json = (body: unknown): SampleRequest => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const ce = HTTP.binary(
  new CloudEvent({ type: "com.example.object.created", source: "/storage/bucket", subject: "photos/cat.jpg", data: { size: 12 } }),
);

const requests: SampleRequest[] = [
  { method: "GET", headers: {}, body: "" },
  { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "model=recommendations&friendly_name=Recs" },
  json({ event: "model.refreshed", resource: { "prefect.resource.id": "product.models.recommendations" } }),
  json({ id: 42, total: "9.99" }),
  {
    ...json({
      action: "opened",
      ref: "refs/heads/main",
      repository: { full_name: "octo/repo" },
      sender: { login: "octocat" },
      head_commit: { message: 'Say "hi"\nand bye' },
    }),
    headers: { "content-type": "application/json", "x-github-event": "push" },
  },
  { method: "POST", headers: ce.headers as Record<string, string>, body: ce.body as string },
];

test("the cookbook has the recipes this test knows", () => {
  expect(recipes).toHaveLength(requests.length);
});

test.each(recipes.map((r, i) => [r.split("\n")[0], i] as const))("recipe %s renders a valid event", (_first, i) => {
  const result = renderSample(recipes[i]!, requests[i]!);
  expect(result.error).toBeNull();
  expect(result.event?.resource["prefect.resource.id"]).toBeTruthy();
});
