// Ready-made templates, each with a sample request that renders it. The first four are Prefect
// Cloud's documented examples, so a template copied from Prefect's docs behaves the same here.

export interface SampleRequest {
  method: string;
  headers: string; // one "Name: value" per line
  query: string; // a=1&b=2
  body: string;
}

export interface Starter {
  id: string;
  name: string;
  description: string;
  template: string;
  sample: SampleRequest;
}

const json = { "content-type": "application/json" };
const headerLines = (h: Record<string, string>) =>
  Object.entries(h)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");

export const STARTERS: Starter[] = [
  {
    id: "static",
    name: "Static",
    description: "The same event on every request (Prefect's static example).",
    template: `{
    "event": "model.refreshed",
    "resource": {
        "prefect.resource.id": "product.models.recommendations",
        "prefect.resource.name": "Recommendations [Products]",
        "producing-team": "Data Science"
    }
}`,
    sample: { method: "GET", headers: "user-agent: curl/8.0", query: "", body: "" },
  },
  {
    id: "dynamic",
    name: "Dynamic (form)",
    description: "Fields from a form-encoded body, with a default (Prefect's dynamic example).",
    template: `{
    "event": "model.refreshed",
    "resource": {
        "prefect.resource.id": "product.models.{{ body.model }}",
        "prefect.resource.name": "{{ body.friendly_name|default(body.model) }}",
        "producing-team": "Data Science"
    }
}`,
    sample: {
      method: "POST",
      headers: "content-type: application/x-www-form-urlencoded",
      query: "",
      body: "model=recommendations&friendly_name=Recommendations%20%5BProducts%5D",
    },
  },
  {
    id: "passthrough",
    name: "Pass-through",
    description: "The sender posts a whole Prefect event as JSON.",
    template: "{{ body|tojson }}",
    sample: {
      method: "POST",
      headers: headerLines(json),
      query: "",
      body: JSON.stringify({ event: "model.refreshed", resource: { "prefect.resource.id": "product.models.recommendations" } }, null, 2),
    },
  },
  {
    id: "cloudevents",
    name: "CloudEvents",
    description: "A CloudEvent in structured or binary mode becomes an event.",
    template: "{{ body|from_cloud_event(headers) }}",
    sample: {
      method: "POST",
      headers: "content-type: application/cloudevents+json",
      query: "",
      body: JSON.stringify(
        {
          specversion: "1.0",
          id: "A234-1234-1234",
          source: "/mycontext",
          type: "com.example.someevent",
          subject: "orders/42",
          time: "2026-01-02T03:04:05Z",
          datacontenttype: "application/json",
          data: { order: 42 },
        },
        null,
        2,
      ),
    },
  },
  {
    id: "github",
    name: "GitHub",
    description:
      "GitHub webhook deliveries: the event and action, the repository (or organization) and the sender. A request that is not a GitHub delivery fails.",
    template: `{
    "event": "{% if headers['x-github-event'] %}github.{{ headers['x-github-event'] }}{% if body.action %}.{{ body.action }}{% endif %}{% endif %}",
    "resource": {
        "prefect.resource.id": "{% if body.repository.full_name %}github.repo.{{ body.repository.full_name }}{% elif body.organization.login %}github.org.{{ body.organization.login }}{% elif body.security_advisory.ghsa_id %}github.advisory.{{ body.security_advisory.ghsa_id }}{% elif body.sender.login %}github.user.{{ body.sender.login }}{% endif %}",
        "prefect.resource.name": "{{ body.repository.full_name or body.organization.login or body.security_advisory.ghsa_id or body.sender.login }}"
    },
    "related": [{% if body.sender.login %}
        {
            "prefect.resource.id": "github.user.{{ body.sender.login }}",
            "prefect.resource.role": "sender"
        }
    {% endif %}],
    "payload": {
        "delivery": "{{ headers['x-github-delivery'] }}",
        "action": "{{ body.action|default('') }}"
    }
}`,
    sample: {
      method: "POST",
      headers: headerLines({
        ...json,
        "x-github-event": "issues",
        "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "user-agent": "GitHub-Hookshot/044aadd",
      }),
      query: "",
      body: JSON.stringify(
        {
          action: "opened",
          issue: { number: 1347, title: "Found a bug" },
          repository: { full_name: "octocat/Hello-World" },
          sender: { login: "octocat" },
        },
        null,
        2,
      ),
    },
  },
];

export const emptySample = (): SampleRequest => ({ method: "POST", headers: headerLines(json), query: "", body: "{}" });

/** "Name: value" lines → a header object (later duplicates win, as the server's mapping does). */
export function parseHeaderLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf(":");
    if (at > 0) out[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return out;
}

export const toHeaderLines = headerLines;

/** A stored request (an event's debugging payload or a failure event) as a sample to render again. */
export function sampleFromPayload(p: Record<string, unknown>): SampleRequest | null {
  if (typeof p.method !== "string") return null;
  const headers = (p.headers && typeof p.headers === "object" ? p.headers : {}) as Record<string, string>;
  const form = /x-www-form-urlencoded/i.test(Object.entries(headers).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "");
  let body: string;
  if (p.body === undefined || p.body === "") body = "";
  else if (typeof p.body === "string") body = p.body;
  // A form body was stored as its flat mapping; send it form-encoded again so it parses the same way.
  else if (form && typeof p.body === "object") body = new URLSearchParams(p.body as Record<string, string>).toString();
  else body = JSON.stringify(p.body, null, 2);
  const query = p.query && typeof p.query === "object" ? new URLSearchParams(p.query as Record<string, string>).toString() : "";
  return { method: p.method, headers: headerLines(headers), query, body };
}
