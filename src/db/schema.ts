// All tables. Migrations in drizzle/ are generated from this file by `npm run db:generate`.
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Timestamps are stored as integer milliseconds since the epoch (UTC) so that they index and compare cheaply. */
const millis = (name: string) => integer(name).notNull();

export const serviceAccounts = sqliteTable(
  "service_accounts",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** "admin" may use the whole API; "webhook" may only authenticate webhook requests. */
    role: text("role", { enum: ["admin", "webhook"] }).notNull(),
    /** SHA-256 of the key, hex. Keys are 32 random bytes, so a fast hash is the right tool. */
    keyHash: text("key_hash").notNull(),
    /** The first characters of the key, shown so a user can tell keys apart. */
    keyPrefix: text("key_prefix").notNull(),
    created: millis("created"),
    updated: millis("updated"),
  },
  (t) => [uniqueIndex("service_accounts_key_hash").on(t.keyHash)],
);

export const webhooks = sqliteTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    template: text("template").notNull(),
    /** Deleting a service account deletes its webhooks, as Prefect Cloud does. */
    serviceAccountId: text("service_account_id").references(() => serviceAccounts.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    created: millis("created"),
    updated: millis("updated"),
    /**
     * How requests prove they come from the sender (src/verification/): JSON of the scheme and its
     * settings, with the secrets encrypted by the data directory's key. Null: no verification.
     */
    verification: text("verification"),
    /** A template expression whose value marks a redelivery (src/dedup/); null or "": none. */
    dedupKey: text("dedup_key"),
    /** Requests answered as duplicates of a stored event, not stored again. */
    duplicates: integer("duplicates").notNull().default(0),
  },
  (t) => [uniqueIndex("webhooks_slug").on(t.slug), index("webhooks_name").on(t.name)],
);

/**
 * The dedup keys of the events each webhook stored: a request whose key is here, and recorded
 * within the retention window, is a redelivery. Keys are per webhook, as GitHub shares one delivery
 * id across every hook subscribed to an event.
 */
export const dedupKeys = sqliteTable(
  "dedup_keys",
  {
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    eventId: text("event_id").notNull(),
    stored: millis("stored"),
  },
  (t) => [primaryKey({ columns: [t.webhookId, t.key] }), index("dedup_keys_stored").on(t.stored)],
);

export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  /** JSON-encoded value. */
  value: text("value").notNull(),
});

/**
 * One row per event. `seq` is the commit order (the live feed and pagination rely on it);
 * `data` is the full event as JSON, which is what the API returns.
 */
export const events = sqliteTable(
  "events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    occurred: millis("occurred"),
    received: millis("received"),
    event: text("event").notNull(),
    resourceId: text("resource_id").notNull(),
    data: text("data").notNull(),
  },
  (t) => [
    uniqueIndex("events_id").on(t.id),
    index("events_occurred").on(t.occurred, t.seq),
    index("events_event_occurred").on(t.event, t.occurred),
    index("events_resource_occurred").on(t.resourceId, t.occurred),
  ],
);

/**
 * One row per resource an event involves, as Prefect's server keeps them: the primary resource
 * with role "" and each related resource with its role. `labels` holds the labels other than
 * prefect.resource.id and prefect.resource.role, as JSON. `occurred` is copied so that the
 * time window and the resource match are answered by one index.
 */
export const eventResources = sqliteTable(
  "event_resources",
  {
    eventSeq: integer("event_seq")
      .notNull()
      .references(() => events.seq, { onDelete: "cascade" }),
    occurred: millis("occurred"),
    resourceId: text("resource_id").notNull(),
    role: text("role").notNull(),
    labels: text("labels").notNull(),
  },
  (t) => [
    index("event_resources_resource").on(t.resourceId, t.occurred),
    index("event_resources_role").on(t.role, t.resourceId),
    index("event_resources_event").on(t.eventSeq),
  ],
);

/**
 * The request a hook event was made from, as it arrived (webhook.site's view): kept beside its
 * event for `--raw-retention-days`, and gone with the event. Headers are those a template sees
 * (credentials dropped), as JSON; the body is the exact bytes.
 */
export const rawRequests = sqliteTable(
  "raw_requests",
  {
    eventSeq: integer("event_seq")
      .primaryKey()
      .references(() => events.seq, { onDelete: "cascade" }),
    webhookId: text("webhook_id").notNull(),
    received: millis("received"),
    method: text("method").notNull(),
    /** The query string, without its `?`. */
    query: text("query").notNull(),
    headers: text("headers").notNull(),
    body: blob("body", { mode: "buffer" }).notNull(),
  },
  (t) => [index("raw_requests_webhook").on(t.webhookId, t.eventSeq)],
);

/** People who sign in to the admin UI. Passwords are Argon2id hashes (Bun.password). */
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Stored lowercased; unique. */
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ["admin", "viewer"] }).notNull(),
    created: millis("created"),
    updated: millis("updated"),
  },
  (t) => [uniqueIndex("users_email").on(t.email)],
);

/** Browser sessions. `id` is the SHA-256 of the cookie's token, so a stolen database holds no live cookie. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    created: millis("created"),
    expires: millis("expires"),
  },
  (t) => [index("sessions_user").on(t.userId), index("sessions_expires").on(t.expires)],
);

/**
 * Automations (Prefect's object). `data` holds the automation's JSON without id, created and
 * updated (name, description, enabled, tags, trigger, actions, actions_on_trigger,
 * actions_on_resolve); `name` and `enabled` are copied out for sorting and for the engine's load.
 * `paused_reason` says why the engine paused it (the runaway guard), null otherwise.
 */
export const automations = sqliteTable(
  "automations",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    data: text("data").notNull(),
    pausedReason: text("paused_reason"),
    created: millis("created"),
    updated: millis("updated"),
  },
  (t) => [index("automations_name").on(t.name)],
);

/**
 * The engine's evaluation state, one row per (automation, trigger, bucket): a bucket is a
 * `for_each` key (or "" without one) of an event trigger, or a composite trigger's child firings.
 * `data` is the bucket as JSON; `due` is when a Proactive bucket's window ends (null when nothing
 * is due), so the deadline sweep reads one index.
 */
export const automationState = sqliteTable(
  "automation_state",
  {
    automationId: text("automation_id")
      .notNull()
      .references(() => automations.id, { onDelete: "cascade" }),
    triggerId: text("trigger_id").notNull(),
    bucket: text("bucket").notNull(),
    data: text("data").notNull(),
    due: integer("due"),
  },
  (t) => [primaryKey({ columns: [t.automationId, t.triggerId, t.bucket] }), index("automation_state_due").on(t.due)],
);

/**
 * Where evaluation stands: one row per named cursor. The engine's ("automations") is the sequence
 * number of the last event it evaluated; it moves in the same transaction as the state that
 * event changed, so that after a crash every event is evaluated exactly once.
 */
export const progress = sqliteTable("progress", {
  name: text("name").primaryKey(),
  value: integer("value").notNull(),
});

/**
 * Events decided but not yet in the event store: written in the same transaction as the decision
 * (a firing, a delivery's outcome), then handed to the event store's group commit and deleted.
 * An event's id is fixed when it is staged, so handing it over twice stores it once.
 */
export const stagedEvents = sqliteTable("staged_events", {
  id: text("id").primaryKey(),
  data: text("data").notNull(),
  created: millis("created"),
});

/**
 * Where actions are sent: a webhook, a chat service, a push service or a mailbox. `config` holds
 * the settings that may be shown; `secrets` the write-only ones (tokens, passwords, URLs that embed
 * a secret), never returned. `signing_secrets` is a JSON list of `{secret, created, expires}`:
 * webhook destinations sign with every unexpired one (two during a rotation).
 */
export const destinations = sqliteTable(
  "destinations",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    type: text("type", { enum: ["webhook", "slack", "discord", "teams", "ntfy", "gotify", "email"] }).notNull(),
    config: text("config").notNull(),
    secrets: text("secrets").notNull(),
    signingSecrets: text("signing_secrets").notNull().default("[]"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    disabledReason: text("disabled_reason"),
    created: millis("created"),
    updated: millis("updated"),
  },
  (t) => [index("destinations_name").on(t.name)],
);

/**
 * The action outbox: one row per action of a firing, written in the firing's transaction and then
 * delivered by the worker. `id` is the delivery's `webhook-id` (the same on every retry). `context`
 * is the template context at firing time (automation, event, labels, firing); `request` is what the
 * first attempt rendered, so retries send the same bytes.
 */
export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    automationId: text("automation_id").notNull(),
    firingId: text("firing_id").notNull(),
    actionIndex: integer("action_index").notNull(),
    action: text("action").notNull(),
    context: text("context").notNull(),
    destinationId: text("destination_id"),
    status: text("status", { enum: ["pending", "delivered", "failed"] }).notNull(),
    attemptCount: integer("attempt_count").notNull().default(0),
    nextAttempt: integer("next_attempt"),
    request: text("request"),
    reason: text("reason"),
    /** The id of the `…action.triggered` event, which `…executed` / `…failed` follow. */
    triggeredEventId: text("triggered_event_id").notNull(),
    created: millis("created"),
    updated: millis("updated"),
  },
  (t) => [
    index("deliveries_due").on(t.status, t.nextAttempt),
    index("deliveries_automation").on(t.automationId, t.created),
    index("deliveries_destination").on(t.destinationId, t.status),
  ],
);

/** Every attempt of a delivery: when, the answer's status and first 1,000 characters, how long, what failed. */
export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => deliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    at: millis("at"),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
    response: text("response"),
    /** The request as sent, secrets masked (JSON: method, url, headers, body). */
    request: text("request"),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);
