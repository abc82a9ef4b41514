// Destinations: where actions are sent. Each type splits its settings into those that may be shown
// (`config`) and the write-only ones (`secrets`: tokens, passwords, URLs that carry a credential),
// which no answer, log line or event ever holds; an answer lists the names of the secrets that are
// set (`secrets_set`) instead.

export const DESTINATION_TYPES = ["webhook", "slack", "discord", "teams", "ntfy", "gotify", "email"] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

export const WEBHOOK_METHODS = ["POST", "PUT", "PATCH", "GET", "DELETE"] as const;
export const EMAIL_SECURITY = ["starttls", "tls", "none"] as const;

export interface WebhookConfig {
  method: (typeof WEBHOOK_METHODS)[number];
  url: string;
  /** A template rendered with the firing's context; without one, the action's payload is the body. */
  body_template: string | null;
}
export interface NtfyConfig {
  server: string;
  topic: string;
  /** 1 (min) … 5 (max); ntfy's default is 3. */
  priority: number;
  tags: string[];
}
export interface GotifyConfig {
  server: string;
  priority: number;
}
export interface EmailConfig {
  host: string;
  port: number;
  security: (typeof EMAIL_SECURITY)[number];
  user: string | null;
  from: string;
  to: string[];
}

/** The shown settings of each type. */
export interface ConfigOf {
  webhook: WebhookConfig;
  slack: Record<string, never>;
  discord: Record<string, never>;
  teams: Record<string, never>;
  ntfy: NtfyConfig;
  gotify: GotifyConfig;
  email: EmailConfig;
}

/** The write-only settings of each type. */
export interface SecretsOf {
  /** Header values often carry credentials, so a webhook's headers are all write-only. */
  webhook: { headers?: Record<string, string> };
  slack: { url: string };
  discord: { url: string };
  teams: { url: string };
  ntfy: { token?: string };
  gotify: { token: string };
  email: { password?: string };
}

/** The names of each type's secret fields, in the order an answer lists them. */
export const SECRET_FIELDS: { [T in DestinationType]: readonly (keyof SecretsOf[T] & string)[] } = {
  webhook: ["headers"],
  slack: ["url"],
  discord: ["url"],
  teams: ["url"],
  ntfy: ["token"],
  gotify: ["token"],
  email: ["password"],
};

export type DestinationOf<T extends DestinationType> = {
  id: string;
  name: string;
  type: T;
  enabled: boolean;
  disabled_reason: string | null;
  config: ConfigOf[T];
  secrets: SecretsOf[T];
  /** The secret fields that have a value (readable without the key). */
  secrets_set: string[];
  /** Set when the secrets were sealed with another key than this server's (`secrets` is then empty). */
  secrets_unreadable?: true;
  signing_secrets: SigningSecret[];
  created: number;
  updated: number;
};

/** A destination as the worker uses it, secrets included; never sent to a client. */
export type Destination = { [T in DestinationType]: DestinationOf<T> }[DestinationType];

/** The secret fields of `secrets` that have a value, in the order answers list them. */
export function secretsSet(type: DestinationType, secrets: Record<string, unknown>): string[] {
  return SECRET_FIELDS[type].filter((field) => secrets[field] !== undefined);
}

/** A Standard Webhooks signing secret (`whsec_…`); `expires` is set on the one a rotation replaced. */
export interface SigningSecret {
  secret: string;
  created: number;
  expires: number | null;
}

/** A destination as the API shows it. */
export interface DestinationView {
  id: string;
  name: string;
  type: DestinationType;
  enabled: boolean;
  disabled_reason: string | null;
  config: Record<string, unknown>;
  /** The secret fields that have a value (the values are never shown). */
  secrets_set: string[];
  created: string;
  updated: string;
}

export function toView(d: Destination): DestinationView {
  return {
    id: d.id,
    name: d.name,
    type: d.type,
    enabled: d.enabled,
    disabled_reason: d.disabled_reason,
    config: { ...d.config },
    secrets_set: d.secrets_set,
    created: new Date(d.created).toISOString(),
    updated: new Date(d.updated).toISOString(),
  };
}

/** How long the secret a rotation replaced keeps signing (two are active meanwhile). */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60_000;

/** A new Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")}`;
}

/** The secrets that sign now: every one not yet expired, newest first. */
export function activeSigningSecrets(secrets: SigningSecret[], now: number): string[] {
  return secrets
    .filter((s) => s.expires === null || s.expires > now)
    .sort((a, b) => b.created - a.created)
    .map((s) => s.secret);
}
