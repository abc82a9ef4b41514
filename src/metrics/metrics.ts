// The Prometheus registry: every metric Inlet exposes is defined here, with prom-client, so that the
// names and labels live in one place. /metrics (metrics/routes.ts) renders it.
//
// Conventions: names start with `inlet_`; counters end in `_total`; durations are histograms in
// seconds (`_seconds`), sizes in bytes (`_bytes`). Labels never carry a secret: hooks are labelled
// by webhook id, never by slug (a slug is the hook's credential), and nothing carries a key, a
// token, a body or a client address (unbounded, and personal).
//
// Adding a metric: define it in the class below (a field, documented), and count from the code that
// knows, through ctx.metrics. A value that already lives elsewhere (a queue's length) is better read at scrape time with a
// gauge's collect() than copied on every change: see `observe`.
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Where the gauges read their values at scrape time; each is cheap (no table scan). */
export interface MetricSources {
  /** Events waiting for the group commit. */
  writeQueueDepth(): number;
  /** Live-feed subscribers (websocket and event stream). */
  feedSubscribers(): number;
  /** The database file's size (its pages; the WAL not included). */
  databaseBytes(): number;
  /** Events stored (kept up to date by commits and retention, not counted per scrape). */
  eventCount(): number;
}

/** The request limits (request-limits.ts), as refusals are counted by. */
export const REQUEST_LIMITS = ["headers", "in_flight", "per_address", "body_timeout", "probe"] as const;
export type RequestLimitName = (typeof REQUEST_LIMITS)[number];
/** The request limits, and a webhook's own: its allowlist and its rate limit (ingest/routes.ts). */
export const LIMITS = [...REQUEST_LIMITS, "allowlist", "rate"] as const;
export type LimitName = (typeof LIMITS)[number];

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export class Metrics {
  readonly registry = new Registry();
  private sources: MetricSources | null = null;

  /** Hook requests by webhook id ("" for a slug that names no webhook), status and reason ("" when stored). */
  readonly hookRequests = new Counter({
    name: "inlet_hook_requests_total",
    help: "Requests to hook URLs, by webhook id, status and failure reason",
    labelNames: ["webhook_id", "status", "reason"] as const,
    registers: [this.registry],
  });
  /** Automation firings, counted from their committed events (countAutomationEvents). */
  readonly automationFirings = new Counter({
    name: "inlet_automation_firings_total",
    help: "Automation firings recorded, by automation id and state (Triggered, Resolved)",
    labelNames: ["automation_id", "state"] as const,
    registers: [this.registry],
  });
  /** Deliveries finished: delivered (a 2xx), or failed (given up after the last retry, or at once). */
  readonly deliveries = new Counter({
    name: "inlet_deliveries_total",
    help: "Action deliveries finished, by status: delivered or failed (given up)",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  readonly failureEventsSuppressed = new Counter({
    name: "inlet_failure_events_suppressed_total",
    help: "Hook failure events not stored because the webhook was over its failure budget",
    labelNames: ["webhook_id"] as const,
    registers: [this.registry],
  });
  readonly renderSeconds = new Histogram({
    name: "inlet_template_render_seconds",
    help: "Time to render a hook request's template into an event",
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly commitBatchSize = new Histogram({
    name: "inlet_commit_batch_size",
    help: "Events in one group-commit transaction",
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: "inlet_commit_seconds",
    help: "Time to commit one group-commit transaction (durably)",
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly retentionDeletions = new Counter({
    name: "inlet_retention_deleted_events_total",
    help: "Events deleted by retention",
    registers: [this.registry],
  });
  readonly limitRefusals = new Counter({
    name: "inlet_limit_refusals_total",
    help: "Requests refused by a limit: headers (431), in_flight (503), per_address (429), body_timeout (408), probe (429), a webhook's allowlist (404) and rate limit (429)",
    labelNames: ["limit"] as const,
    registers: [this.registry],
  });

  constructor() {
    const owner = this;
    for (const [name, help, read] of [
      ["inlet_write_queue_depth", "Events waiting for the group commit", (s) => s.writeQueueDepth()],
      ["inlet_feed_subscribers", "Live-feed subscribers (websocket and event stream)", (s) => s.feedSubscribers()],
      ["inlet_database_size_bytes", "Size of the database file (without its WAL)", (s) => s.databaseBytes()],
      ["inlet_events", "Events stored", (s) => s.eventCount()],
    ] as [string, string, (s: MetricSources) => number][]) {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        // prom-client calls this with the gauge as `this`, at each scrape.
        collect() {
          if (owner.sources) this.set(read(owner.sources));
        },
      });
    }
    new Gauge({
      name: "process_resident_memory_bytes",
      help: "Resident memory size in bytes",
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Gauge({
      name: "process_start_time_seconds",
      help: "Start time of the process since the Unix epoch in seconds",
      registers: [this.registry],
    }).set(Math.floor(Date.now() / 1000 - process.uptime()));
    // Every limit shows, at 0 until it refuses something.
    for (const limit of LIMITS) this.limitRefusals.inc({ limit }, 0);
  }

  /** Connects the gauges to what they read (the context does, once it has built its parts). */
  observe(sources: MetricSources): void {
    this.sources = sources;
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

const AUTOMATION_PREFIX = "prefect-cloud.automation.";

/**
 * Counts firings and finished deliveries from the events that record them, as they are committed
 * (the bus): the events are the record, so the counts agree with what the event store holds.
 */
export function countAutomationEvents(
  metrics: Metrics,
  events: readonly { event: { event: string; resource: Record<string, string> } }[],
): void {
  for (const { event } of events) {
    if (!event.event.startsWith(AUTOMATION_PREFIX)) continue;
    switch (event.event) {
      case "prefect-cloud.automation.triggered":
      case "prefect-cloud.automation.resolved": {
        const id = event.resource["prefect.resource.id"]?.slice(AUTOMATION_PREFIX.length) ?? "";
        metrics.automationFirings.inc({ automation_id: id, state: event.event.endsWith("triggered") ? "Triggered" : "Resolved" });
        break;
      }
      case "prefect-cloud.automation.action.executed":
        metrics.deliveries.inc({ status: "delivered" });
        break;
      case "prefect-cloud.automation.action.failed":
        metrics.deliveries.inc({ status: "failed" });
        break;
    }
  }
}
