// The fields each type of destination asks for, and the bodies the API takes. Secret fields are
// write-only: the API says only whether one is set, and a blank one in an update keeps it.
import type { DestinationType, DestinationView } from "../../../src/actions/destinations/model.ts";

export type { DestinationType };

/** A destination as the API answers it; `signing_secret` only in the answers to create (shown once). */
export type Destination = DestinationView & { signing_secret?: string };

export interface DestinationField {
  key: string;
  label: string;
  kind: "text" | "url" | "number" | "select" | "textarea" | "list" | "headers";
  secret?: boolean;
  required?: boolean;
  options?: string[];
  hint?: string;
  placeholder?: string;
}

const incoming = (label: string): DestinationField[] => [
  {
    key: "url",
    label: `${label} incoming webhook URL`,
    kind: "url",
    secret: true,
    required: true,
    hint: "It holds a secret: it is never shown again.",
  },
];

export const DESTINATION_TYPES: Record<DestinationType, { label: string; fields: DestinationField[] }> = {
  webhook: {
    label: "Webhook",
    fields: [
      { key: "url", label: "URL", kind: "url", required: true, placeholder: "https://example.com/hook" },
      { key: "method", label: "Method", kind: "select", options: ["POST", "PUT", "PATCH", "GET", "DELETE"] },
      {
        key: "headers",
        label: "Headers",
        kind: "headers",
        secret: true,
        hint: "One per line, Name: value. Kept secret (they often carry a token).",
      },
      {
        key: "body_template",
        label: "Body template",
        kind: "textarea",
        hint: "Optional Jinja; without it, the action's payload is the body.",
      },
    ],
  },
  slack: { label: "Slack", fields: incoming("Slack") },
  discord: { label: "Discord", fields: incoming("Discord") },
  teams: { label: "Microsoft Teams", fields: incoming("Teams") },
  ntfy: {
    label: "ntfy",
    fields: [
      { key: "server", label: "Server URL", kind: "url", required: true, placeholder: "https://ntfy.sh" },
      { key: "topic", label: "Topic", kind: "text", required: true },
      { key: "token", label: "Access token", kind: "text", secret: true },
      { key: "priority", label: "Priority", kind: "select", options: ["3", "1", "2", "4", "5"], hint: "1 (min) to 5 (max)" },
      { key: "tags", label: "Tags", kind: "list", hint: "Comma-separated, e.g. warning,backup" },
    ],
  },
  gotify: {
    label: "Gotify",
    fields: [
      { key: "server", label: "Server URL", kind: "url", required: true },
      { key: "token", label: "App token", kind: "text", secret: true, required: true },
      { key: "priority", label: "Priority", kind: "number", placeholder: "5", hint: "0 to 10" },
    ],
  },
  email: {
    label: "Email",
    fields: [
      { key: "host", label: "SMTP host", kind: "text", required: true },
      { key: "port", label: "Port", kind: "number", placeholder: "587 (465 with TLS)" },
      { key: "security", label: "Security", kind: "select", options: ["starttls", "tls", "none"] },
      { key: "user", label: "User", kind: "text" },
      { key: "password", label: "Password", kind: "text", secret: true },
      { key: "from", label: "From", kind: "text", required: true },
      { key: "to", label: "To", kind: "list", required: true, hint: "Comma-separated addresses" },
    ],
  },
};

/** Whether a secret field holds a value (the API never sends the value itself). */
export const secretIsSet = (d: Destination, key: string) => d.secrets_set?.includes(key) ?? false;

/** "Name: value" lines → a header object. */
export function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

export const showHeaders = (h: unknown) =>
  h && typeof h === "object"
    ? Object.entries(h as Record<string, string>)
        .map(([k, v]) => `${k}: ${v}`)
        .join("\n")
    : "";

/** The form's texts for a destination of `type` (a new one's: the defaults). */
export const fieldTexts = (type: DestinationType, d: Destination | null) =>
  Object.fromEntries(DESTINATION_TYPES[type].fields.map((f) => [f.key, fieldText(f, d)]));

/** The form's text for one field, as the API takes it. */
export function fieldValue(f: DestinationField, text: string): unknown {
  if (f.kind === "number") return text.trim() === "" ? undefined : Number(text);
  if (f.kind === "list")
    return text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (f.kind === "headers") return parseHeaders(text);
  if (f.key === "priority") return text === "" ? undefined : Number(text);
  if (f.kind === "textarea") return text === "" ? undefined : text;
  return text.trim() === "" ? undefined : text.trim();
}

/** A stored field as the form shows it (secrets: always blank). */
export function fieldText(f: DestinationField, d: Destination | null): string {
  if (!d) return f.kind === "select" ? f.options![0]! : "";
  if (f.secret) return "";
  const v = d.config[f.key];
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.join(", ");
  if (f.kind === "headers") return showHeaders(v);
  return String(v);
}

/**
 * The body of a create or update. Secret fields travel in `config` with the others; a blank one is
 * left out, so that an update keeps the stored value.
 */
export function destinationBody(type: DestinationType, name: string, enabled: boolean, texts: Record<string, string>) {
  const config: Record<string, unknown> = {};
  for (const f of DESTINATION_TYPES[type].fields) {
    const text = texts[f.key] ?? "";
    if (f.secret && text.trim() === "") continue;
    const v = fieldValue(f, text);
    if (v !== undefined) config[f.key] = v;
  }
  return { name, type, enabled, config };
}
