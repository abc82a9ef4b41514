// All tables. Migrations in drizzle/ are generated from this file by `npm run db:generate`.
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
  },
  (t) => [uniqueIndex("webhooks_slug").on(t.slug), index("webhooks_name").on(t.name)],
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

