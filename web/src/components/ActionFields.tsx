// The actions of an automation: what each does, where it goes (a destination) and its templates.
import { getIn, type Draft, type Path } from "../lib/automation-draft.ts";
import type { Destination } from "../lib/destinations.ts";
import { Field } from "./ui.tsx";

interface Props {
  list: "actions" | "actions_on_resolve";
  heading: string;
  draft: Draft;
  set: (path: Path, value: unknown) => void;
  errorFor: (control: string) => string | null;
  /** Null when the caller may not list destinations (viewers): ids are shown as typed. */
  destinations: Destination[] | null;
}

const TYPES: [string, string][] = [
  ["send-notification", "Send a notification"],
  ["call-webhook", "Call a webhook"],
  ["pause-automation", "Pause an automation"],
  ["resume-automation", "Resume an automation"],
  ["do-nothing", "Do nothing"],
];

/** A fresh action of a type, keeping the destination of the one it replaces. */
function actionOf(type: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const dest = previous.destination_id ?? previous.block_document_id ?? null;
  switch (type) {
    case "send-notification":
      return {
        type,
        destination_id: dest,
        subject: "{{ automation.name }}",
        body: "{{ event.event }} on {{ event.resource['prefect.resource.id'] }}",
      };
    case "call-webhook":
      return { type, destination_id: dest, payload: "{{ event | tojson }}" };
    case "pause-automation":
    case "resume-automation":
      return { type, source: "inferred", automation_id: null };
    default:
      return { type };
  }
}

export function ActionFields({ list, heading, draft, set, errorFor, destinations }: Props) {
  const raw = getIn(draft, [list]);
  const actions = (Array.isArray(raw) ? raw : []) as Record<string, unknown>[];
  const setList = (next: Record<string, unknown>[]) => set([list], next);

  return (
    <fieldset class="plain actions-fields" aria-label={heading}>
      <legend>{heading}</legend>
      {errorFor(list) && (
        <p class="field-error" role="alert">
          {errorFor(list)}
        </p>
      )}
      {actions.length === 0 && <p class="muted small">No actions.</p>}
      {actions.map((a, i) => {
        const id = `${list}-${i}`;
        const at = (key: string) => `${list}.${i}.${key}`;
        const type = String(a.type ?? "");
        const destKey = a.block_document_id != null && a.destination_id == null ? "block_document_id" : "destination_id";
        const dest = String(a[destKey] ?? "");
        return (
          <div class="card action-card" key={i} data-testid="action-card">
            <div class="row wrap">
              <Field label="Action" id={`${id}-type`} error={errorFor(at("type")) ?? errorFor(`${list}.${i}`)}>
                <select id={`${id}-type`} value={type} onChange={(e) => set([list, i], actionOf(e.currentTarget.value, a))}>
                  {!TYPES.some(([t]) => t === type) && <option value={type}>{type}</option>}
                  {TYPES.map(([t, label]) => (
                    <option key={t} value={t}>
                      {label}
                    </option>
                  ))}
                </select>
              </Field>
              {(type === "send-notification" || type === "call-webhook") && (
                <Field label="Destination" id={`${id}-dest`} error={errorFor(at(destKey))}>
                  {destinations?.length === 0 ? (
                    <p class="hint" id={`${id}-dest`}>
                      No destinations yet:{" "}
                      <a href="/destinations" target="_blank" rel="noopener">
                        add one
                      </a>{" "}
                      in a new tab; it shows here when you come back.
                    </p>
                  ) : destinations ? (
                    <select id={`${id}-dest`} value={dest} onChange={(e) => set([list, i, destKey], e.currentTarget.value || null)}>
                      <option value="">Choose…</option>
                      {dest && !destinations.some((d) => d.id === dest) && <option value={dest}>{dest}</option>}
                      {destinations.map((d) => (
                        <option key={d.id} value={d.id}>
                          {d.name} ({d.type})
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input id={`${id}-dest`} class="mono" value={dest} readOnly />
                  )}
                </Field>
              )}
              {(type === "pause-automation" || type === "resume-automation") && (
                <Field label="Which automation" id={`${id}-source`} error={errorFor(at("source")) ?? errorFor(at("automation_id"))}>
                  <select
                    id={`${id}-source`}
                    value={String(a.source ?? "inferred")}
                    onChange={(e) =>
                      set([list, i], {
                        ...a,
                        source: e.currentTarget.value,
                        automation_id: e.currentTarget.value === "selected" ? "" : null,
                      })
                    }
                  >
                    <option value="inferred">The one the event is about</option>
                    <option value="selected">A chosen one (id in the JSON view)</option>
                  </select>
                </Field>
              )}
              <button type="button" class="btn small danger remove-action" onClick={() => setList(actions.filter((_, j) => j !== i))}>
                Remove
              </button>
            </div>
            {type === "send-notification" && (
              <>
                <Field label="Subject" id={`${id}-subject`} error={errorFor(at("subject"))}>
                  <input
                    id={`${id}-subject`}
                    value={String(a.subject ?? "")}
                    onInput={(e) => set([list, i, "subject"], e.currentTarget.value)}
                  />
                </Field>
                <Field label="Body" id={`${id}-body`} hint="Jinja: automation, event, labels, firing" error={errorFor(at("body"))}>
                  <textarea
                    id={`${id}-body`}
                    class="mono"
                    rows={3}
                    value={String(a.body ?? "")}
                    onInput={(e) => set([list, i, "body"], e.currentTarget.value)}
                  />
                </Field>
              </>
            )}
            {type === "call-webhook" && (
              <Field label="Payload" id={`${id}-payload`} hint="Jinja: automation, event, labels, firing" error={errorFor(at("payload"))}>
                <textarea
                  id={`${id}-payload`}
                  class="mono"
                  rows={4}
                  value={String(a.payload ?? "")}
                  onInput={(e) => set([list, i, "payload"], e.currentTarget.value)}
                />
              </Field>
            )}
          </div>
        );
      })}
      <button type="button" class="btn small" onClick={() => setList([...actions, actionOf("send-notification")])}>
        Add action
      </button>
    </fieldset>
  );
}
