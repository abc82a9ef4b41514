// Renders per second: bare nunjucks vs. Inlet's sandboxed, deadline-guarded render, for Prefect's
// dynamic form example and a GitHub push template over a real payload. Rounds alternate between the
// two so that machine noise (shared, throttled cores) hits both; medians are compared.
// Run: npx bun bench/templates.ts
import nunjucks from "nunjucks";
import examples from "@octokit/webhooks-examples";
import { compileTemplate, renderTemplate, type TemplateRequest } from "../src/templates/render.ts";

const ROUNDS = 9;
const ROUND_MS = 250;

const prefectForm = `{
    "event": "model.refreshed",
    "resource": {
        "prefect.resource.id": "product.models.{{ body.model }}",
        "prefect.resource.name": "{{ body.friendly_name }}",
        "producing-team": "Data Science"
    }
}`;

const githubPush = `{
  "event": "github.{{ headers['x-github-event'] }}",
  "resource": {
    "prefect.resource.id": "github.repo.{{ body.repository.full_name }}",
    "prefect.resource.name": "{{ body.repository.name }}",
    "git.ref": "{{ body.ref }}",
    "git.commits": "{{ body.commits|length }}",
    "git.head": "{{ body.head_commit.message|default('')|truncate(80) }}"
  },
  "related": [{% for c in body.commits %}{% if not loop.first %}, {% endif %}
    {"prefect.resource.id": "github.commit.{{ c.id }}", "prefect.resource.role": "commit", "author": "{{ c.author.name }}"}{% endfor %}
  ]
}`;

const pushes = (examples as { name: string; examples: Record<string, unknown>[] }[]).find((e) => e.name === "push")!.examples;
const pushPayload = pushes.reduce((a, b) => (((b.commits as unknown[]) ?? []).length > ((a.commits as unknown[]) ?? []).length ? b : a));

const cases: { name: string; template: string; request: TemplateRequest }[] = [
  {
    name: "Prefect dynamic form example",
    template: prefectForm,
    request: {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: { model: "recommendations", friendly_name: "Recommendations [Products]" },
      query: {},
    },
  },
  {
    name: `GitHub push (${(pushPayload.commits as unknown[]).length} commits, octokit example)`,
    template: githubPush,
    request: { method: "POST", headers: { "x-github-event": "push", "content-type": "application/json" }, body: pushPayload, query: {} },
  },
];

const bareEnv = new nunjucks.Environment([], { autoescape: false });

function rate(fn: () => unknown): number {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ROUND_MS) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    elapsed = performance.now() - start;
  }
  return (n / elapsed) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const c of cases) {
  const bare = nunjucks.compile(c.template, bareEnv);
  const safe = compileTemplate(c.template);
  const bareCtx = { method: c.request.method, headers: c.request.headers, body: c.request.body };
  const bareRun = () => bare.render(bareCtx);
  const safeRun = () => renderTemplate(safe, c.request);
  JSON.parse(safeRun());
  rate(bareRun);
  rate(safeRun);
  const bareRates: number[] = [];
  const safeRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    bareRates.push(rate(bareRun));
    safeRates.push(rate(safeRun));
  }
  const b = median(bareRates);
  const s = median(safeRates);
  console.log(`${c.name}`);
  console.log(`  bare nunjucks        ${Math.round(b).toLocaleString("en")} renders/s (${(1e6 / b).toFixed(2)} µs)`);
  console.log(`  sandboxed + deadline ${Math.round(s).toLocaleString("en")} renders/s (${(1e6 / s).toFixed(2)} µs)`);
  console.log(`  cost ratio sandboxed/bare: ${(b / s).toFixed(2)}× (target ≤ 2×)`);
}
