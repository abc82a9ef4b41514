// Create or edit an automation: a form for the common cases and the JSON for everything else (both
// edit one draft), the server's complaints beside the field they name, a dry run, delete.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, type AutomationWithStatus, type EventPage, type Webhook } from "../api.ts";
import { ActionFields } from "../components/ActionFields.tsx";
import { ConfirmDialog } from "../components/Dialog.tsx";
import { DryRun } from "../components/DryRun.tsx";
import { TriggerFields } from "../components/TriggerFields.tsx";
import { ErrorBox, Field, PageHeader, Spinner } from "../components/ui.tsx";
import {
  ACTION_LISTS,
  controlFor,
  draftOf,
  fieldOfError,
  formControls,
  newDraft,
  parseDraft,
  setIn,
  showDraft,
  type Draft,
  type Path,
} from "../lib/automation-draft.ts";
import type { Destination } from "../lib/destinations.ts";
import { EMPTY_FILTER, toEventFilter } from "../lib/filter.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { useIsAdmin } from "../session.ts";

interface Problem {
  message: string;
  /** The form control it is shown beside; null: above the form. */
  control: string | null;
}

/** A new automation's draft from the address: ?event=…&resource=… (an event) or ?webhook=… (a webhook's events). */
async function prefilled(query: URLSearchParams): Promise<Draft> {
  const hookId = query.get("webhook");
  if (!hookId) return newDraft({ event: query.get("event") ?? undefined, resource: query.get("resource") ?? undefined });
  const hook = await api<Webhook>("GET", `/api/webhooks/${hookId}`);
  const last = await api<EventPage>("POST", "/api/events/filter", {
    filter: toEventFilter({ ...EMPTY_FILTER, webhook: hookId }),
    limit: 1,
  });
  return newDraft({ webhook: { id: hook.id, name: hook.name }, event: last.events[0]?.event });
}

export function AutomationEditPage({ id }: { id?: string }) {
  const admin = useIsAdmin();
  const { query } = useLocation();
  const [automation, setAutomation] = useState<AutomationWithStatus | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [mode, setMode] = useState<"form" | "json">("form");
  const [jsonText, setJsonText] = useState("");
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [destinations, setDestinations] = useState<Destination[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState(false);

  // Destinations are listed again when the window regains focus: one may have been added in another tab.
  useEffect(() => {
    if (!admin) return;
    const load = () => api<Destination[]>("GET", "/api/destinations").then(setDestinations, () => setDestinations([]));
    load();
    window.addEventListener("focus", load);
    return () => window.removeEventListener("focus", load);
  }, []);

  useEffect(() => {
    const load = id
      ? api<AutomationWithStatus>("GET", `/api/automations/${id}`).then((a) => (setAutomation(a), draftOf(a)))
      : prefilled(query);
    load.then(setDraft, (e) => setLoadError(e.message));
  }, [id]);

  const set = (path: Path, value: unknown) => {
    setDraft((d) => setIn(d, path, value));
    setSaved(false);
  };

  /** The draft as it stands in whichever view is open; null (with the reason shown) when the JSON does not parse. */
  const current = (): Draft | null => {
    if (mode === "form") return draft;
    const parsed = parseDraft(jsonText);
    setJsonError(parsed.ok ? null : parsed.message);
    return parsed.ok ? parsed.draft : null;
  };

  const switchTo = (next: "form" | "json") => {
    if (next === mode) return;
    if (next === "json") {
      setJsonText(showDraft(draft!));
      setJsonError(null);
    } else {
      const d = current();
      if (!d) return;
      setDraft(d);
    }
    setMode(next);
  };

  const showProblem = (e: unknown, d: Draft) => {
    const err = e as ApiError;
    const message = err.line ? `${err.message} (line ${err.line})` : err.message;
    const control = err.status === 422 && mode === "form" ? controlFor(fieldOfError(err.message, err.field), formControls(d)) : null;
    setProblem({ message, control });
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const d = current();
    if (!d) return;
    setBusy(true);
    setProblem(null);
    try {
      if (id) {
        await api("PUT", `/api/automations/${id}`, d);
        setDraft(d);
        setSaved(true);
      } else {
        const created = await api<AutomationWithStatus>("POST", "/api/automations/", d);
        navigate(`/automations/${created.id}`);
      }
    } catch (err) {
      showProblem(err, d);
    } finally {
      setBusy(false);
    }
  };

  if (loadError) return <ErrorBox message={loadError} />;
  if (!draft) return <Spinner label="Loading automation" />;
  const errorFor = (control: string) => (problem && problem.control === control ? problem.message : null);
  const title = id ? (automation?.name ?? "Automation") : "New automation";

  return (
    <section>
      <PageHeader title={title}>
        {id && (
          <Link class="btn" href={`/automations/${id}/deliveries`}>
            Deliveries
          </Link>
        )}
        <Link class="btn" href="/automations">
          Back to automations
        </Link>
      </PageHeader>
      <form class="automation-form" onSubmit={save} noValidate>
        <div class="tabs" role="tablist" aria-label="Editor view">
          {(["form", "json"] as const).map((m) => (
            <button key={m} type="button" role="tab" class="tab" aria-selected={mode === m} onClick={() => switchTo(m)}>
              {m === "form" ? "Form" : "JSON"}
            </button>
          ))}
        </div>
        {problem && problem.control === null && <ErrorBox message={problem.message} />}
        <fieldset disabled={!admin} class="plain">
          {mode === "form" ? (
            <>
              <div class="row wrap">
                <Field label="Name" id="au-name" error={errorFor("name")}>
                  <input
                    id="au-name"
                    required
                    maxLength={200}
                    value={String(draft.name ?? "")}
                    onInput={(e) => set(["name"], e.currentTarget.value)}
                  />
                </Field>
                <Field label="Description" id="au-desc" error={errorFor("description")}>
                  <input
                    id="au-desc"
                    value={String(draft.description ?? "")}
                    onInput={(e) => set(["description"], e.currentTarget.value)}
                  />
                </Field>
              </div>
              {errorFor("trigger") && <ErrorBox message={errorFor("trigger")!} />}
              <TriggerFields draft={draft} set={set} errorFor={errorFor} />
              {ACTION_LISTS.map(([list, heading]) => (
                <ActionFields
                  key={list}
                  list={list}
                  heading={heading}
                  draft={draft}
                  set={set}
                  errorFor={errorFor}
                  destinations={destinations}
                />
              ))}
            </>
          ) : (
            <Field label="Automation JSON" id="au-json" hint="Prefect's automation object; fields the form does not show are kept.">
              <textarea
                id="au-json"
                class="mono json-editor"
                rows={24}
                spellcheck={false}
                value={jsonText}
                onInput={(e) => (setJsonText(e.currentTarget.value), setSaved(false))}
              />
            </Field>
          )}
        </fieldset>
        {jsonError && (
          <p class="field-error" role="alert" data-testid="json-error">
            {jsonError}
          </p>
        )}
        {admin && (
          <div class="row">
            <button type="submit" class="btn primary" disabled={busy}>
              {busy ? "Saving…" : id ? "Save changes" : "Create automation"}
            </button>
            {saved && (
              <span class="ok-text" role="status">
                Saved
              </span>
            )}
          </div>
        )}
      </form>
      <DryRun draft={current} onError={(e) => showProblem(e, draft)} />
      {admin && id && (
        <div class="danger-zone">
          <h2>Danger zone</h2>
          <button type="button" class="btn danger" onClick={() => setDeleting(true)}>
            Delete automation…
          </button>
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete “${automation?.name ?? "this automation"}”?`}
          confirmLabel="Delete automation"
          danger
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api("DELETE", `/api/automations/${id}`);
            navigate("/automations");
          }}
        >
          <p>It stops watching at once. The events it recorded stay in the feed.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
