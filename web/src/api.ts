// The REST API, as the CLI sees it: the UI has no private routes. Cookies carry the session; the
// browser adds Origin to every non-GET request, which the server's CSRF check relies on.
import { parseJsonExact } from "../../src/json.ts";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly line?: number,
    /** The field a 422 names (`trigger.within`, `actions[0].payload`), when the server says. */
    readonly field?: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** Called when any request answers 401 (the session ended): the app goes back to the sign-in page. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "Cannot reach the server");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? parseJsonExact(text) : undefined;
  } catch {
    /* a non-JSON body is reported below */
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; line?: number; field?: string } } | undefined)?.error;
    if (res.status === 401 && !path.startsWith("/api/auth/")) unauthorizedListeners.forEach((fn) => fn());
    throw new ApiError(
      res.status,
      err?.code ?? "http_" + res.status,
      err?.message ?? `Request failed (${res.status})`,
      err?.line,
      err?.field,
    );
  }
  return data as T;
}

// The API's own shapes, from the modules that produce them (types only: nothing server-side is bundled).
export type { UserRole as Role, User } from "../../src/auth/users.ts";
export type { Webhook } from "../../src/webhooks/store.ts";
export type { Event as InletEvent, Resource } from "../../src/events/model.ts";
import type { PipelineResult } from "../../src/ingest/pipeline.ts";
/** POST /api/templates/render's answer: the pipeline's result and what looks wrong in it. */
export type RenderResult = PipelineResult & { warnings: string[] };
import type { ServiceAccount as StoredServiceAccount } from "../../src/auth/service-accounts.ts";
import type { Event as InletEvent } from "../../src/events/model.ts";
import type { UserRole } from "../../src/auth/users.ts";

/** The signed-in caller (GET /api/auth/me). */
export interface Me {
  kind: "user" | "service_account";
  id: string;
  email?: string;
  name?: string;
  role: UserRole;
}

/** A service account; `api_key` only in the answers that create a key (shown once). */
export type ServiceAccount = StoredServiceAccount & { api_key?: string };

/** next_page is an absolute URL (Prefect's shape); follow it on this origin, whatever host the server saw. */
export function nextPagePath(nextPage: string): string {
  const u = new URL(nextPage, location.origin);
  return u.pathname + u.search;
}

export interface EventPage {
  events: InletEvent[];
  total: number;
  next_page: string | null;
}

export const WEBHOOK_PREFIX = "prefect-cloud.webhook.";
export const FAILED_EVENT = "prefect-cloud.webhook.failed";

/** The webhook an event came through (its related resource, or the resource of a failure event). */
export function webhookOf(e: InletEvent): { id: string; name: string } | null {
  const all = [e.resource, ...(e.related ?? [])];
  const r = all.find((x) => x["prefect.resource.id"]?.startsWith(WEBHOOK_PREFIX));
  if (!r) return null;
  return { id: r["prefect.resource.id"]!.slice(WEBHOOK_PREFIX.length), name: r["prefect.resource.name"] ?? "" };
}

export type {
  Action,
  Automation,
  AutomationStatus,
  DryRunFiring,
  DryRunResult,
  EventTrigger,
} from "../../src/automations/model.ts";
import type { Automation, AutomationStatus } from "../../src/automations/model.ts";

/** An automation as the API answers it: with what the engine knows of it now. */
export type AutomationWithStatus = Automation & { status?: AutomationStatus | null };
