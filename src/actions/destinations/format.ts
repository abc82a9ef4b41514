// What a rendered action becomes for each kind of destination: the native message of each service
// (Slack blocks, a Discord embed, a Teams message card, ntfy's and Gotify's JSON, an email), or, for
// a webhook, the payload as the body with Standard Webhooks headers. Each request also comes with
// a copy for the delivery log in which every secret is masked.
import type { Rendered } from "../render.ts";
import { standardWebhookHeaders } from "../worker/signing.ts";
import { activeSigningSecrets, type Destination, type DestinationOf } from "./model.ts";

export const MASK = "•••";

export interface HttpRequest {
  kind: "http";
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface EmailMessage {
  kind: "email";
  host: string;
  port: number;
  security: "starttls" | "tls" | "none";
  user: string | null;
  password: string | null;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export type Outgoing = HttpRequest | EmailMessage;

export interface Formatted {
  outgoing: Outgoing;
  /** The request as the delivery log shows it: secrets masked. */
  logged: Record<string, unknown>;
}

const json = (value: unknown) => JSON.stringify(value);
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const JSON_TYPE = { "content-type": "application/json" };

/** A secret URL (Slack's, Discord's, Teams') shown as its origin only. */
const maskedUrl = (url: string) => `${new URL(url).origin}/${MASK}`;

function http(outgoing: HttpRequest, shownUrl: string, secretHeaders: string[]): Formatted {
  const secret = new Set(secretHeaders.map((h) => h.toLowerCase()));
  const headers = Object.fromEntries(Object.entries(outgoing.headers).map(([k, v]) => [k, secret.has(k.toLowerCase()) ? MASK : v]));
  return { outgoing, logged: { method: outgoing.method, url: shownUrl, headers, body: outgoing.body } };
}

function webhook(d: DestinationOf<"webhook">, r: Rendered, deliveryId: string, now: number): Formatted {
  const sendsBody = d.config.method !== "GET" && d.config.method !== "DELETE";
  const body = r.webhook_body ?? r.payload ?? json({ subject: r.subject, body: r.body });
  const own = d.secrets.headers ?? {};
  const hasType = Object.keys(own).some((k) => k.toLowerCase() === "content-type");
  const signed = sendsBody ? body : "";
  const headers: Record<string, string> = {
    ...(sendsBody && !hasType ? { "content-type": looksLikeJson(body) ? "application/json" : "text/plain; charset=utf-8" } : {}),
    ...own,
    ...standardWebhookHeaders(activeSigningSecrets(d.signing_secrets, now), deliveryId, now, signed),
  };
  return http(
    { kind: "http", method: d.config.method, url: d.config.url, headers, body: sendsBody ? body : null },
    d.config.url,
    Object.keys(own),
  );
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// Slack: a header block takes 150 characters of plain text, a section 3,000 of mrkdwn.
function slack(d: DestinationOf<"slack">, r: Rendered): Formatted {
  const blocks = [
    { type: "header", text: { type: "plain_text", text: clip(r.subject, 150) } },
    ...(r.body ? [{ type: "section", text: { type: "mrkdwn", text: clip(r.body, 3000) } }] : []),
  ];
  const body = json({ text: clip(`${r.subject}\n${r.body}`, 3000), blocks });
  return http({ kind: "http", method: "POST", url: d.secrets.url, headers: { ...JSON_TYPE }, body }, maskedUrl(d.secrets.url), []);
}

// Discord: an embed's title takes 256 characters, its description 4,096.
function discord(d: DestinationOf<"discord">, r: Rendered): Formatted {
  const body = json({ embeds: [{ title: clip(r.subject, 256), description: clip(r.body, 4096) }] });
  return http({ kind: "http", method: "POST", url: d.secrets.url, headers: { ...JSON_TYPE }, body }, maskedUrl(d.secrets.url), []);
}

function teams(d: DestinationOf<"teams">, r: Rendered): Formatted {
  const body = json({
    "@type": "MessageCard",
    "@context": "https://schema.org/extensions",
    summary: clip(r.subject, 256),
    title: r.subject,
    text: r.body,
  });
  return http({ kind: "http", method: "POST", url: d.secrets.url, headers: { ...JSON_TYPE }, body }, maskedUrl(d.secrets.url), []);
}

// ntfy's JSON publishing: POST to the server's root with the topic in the body.
function ntfy(d: DestinationOf<"ntfy">, r: Rendered): Formatted {
  const url = d.config.server.replace(/\/+$/, "");
  const headers: Record<string, string> = { ...JSON_TYPE, ...(d.secrets.token ? { authorization: `Bearer ${d.secrets.token}` } : {}) };
  const body = json({ topic: d.config.topic, title: r.subject, message: r.body, priority: d.config.priority, tags: d.config.tags });
  return http({ kind: "http", method: "POST", url, headers, body }, url, ["authorization"]);
}

function gotify(d: DestinationOf<"gotify">, r: Rendered): Formatted {
  const url = `${d.config.server.replace(/\/+$/, "")}/message`;
  const headers = { ...JSON_TYPE, "x-gotify-key": d.secrets.token };
  const body = json({ title: r.subject, message: r.body, priority: d.config.priority });
  return http({ kind: "http", method: "POST", url, headers, body }, url, ["x-gotify-key"]);
}

function email(d: DestinationOf<"email">, r: Rendered): Formatted {
  const { host, port, security, user, from, to } = d.config;
  const outgoing: EmailMessage = {
    kind: "email",
    host,
    port,
    security,
    user,
    password: d.secrets.password ?? null,
    from,
    to,
    subject: r.subject,
    text: r.body,
  };
  return { outgoing, logged: { smtp: `${host}:${port}`, security, user, from, to, subject: r.subject, text: r.body } };
}

/** The request for `destination`; `deliveryId` is the webhook-id, `now` the attempt's time. */
export function formatRequest(destination: Destination, rendered: Rendered, deliveryId: string, now: number): Formatted {
  switch (destination.type) {
    case "webhook":
      return webhook(destination, rendered, deliveryId, now);
    case "slack":
      return slack(destination, rendered);
    case "discord":
      return discord(destination, rendered);
    case "teams":
      return teams(destination, rendered);
    case "ntfy":
      return ntfy(destination, rendered);
    case "gotify":
      return gotify(destination, rendered);
    case "email":
      return email(destination, rendered);
  }
}
