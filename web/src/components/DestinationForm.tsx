// Create or edit a destination: its type's fields. Secret fields are never filled in from the
// server: they say whether a value is set, and a blank one keeps it.
import { useState } from "preact/hooks";
import { api, type ApiError } from "../api.ts";
import { fieldOfError } from "../lib/automation-draft.ts";
import {
  DESTINATION_TYPES,
  destinationBody,
  fieldTexts,
  secretIsSet,
  type Destination,
  type DestinationField,
  type DestinationType,
} from "../lib/destinations.ts";
import { ErrorBox, Field } from "./ui.tsx";

/**
 * Secrets are typed like passwords, so the browser neither shows nor remembers them. (Preact's
 * typings want one literal input type, hence the cast.)
 */
function inputType(f: DestinationField) {
  const type = f.secret ? "password" : f.kind === "number" ? "number" : f.kind === "url" ? "url" : "text";
  return { type: type as "text", autoComplete: f.secret ? "new-password" : "off" };
}

interface Props {
  /** Null to create one. */
  existing: Destination | null;
  onSaved: (d: Destination) => void;
  onCancel: () => void;
}

export function DestinationForm({ existing, onSaved, onCancel }: Props) {
  const [type, setType] = useState<DestinationType>(existing?.type ?? "webhook");
  const [name, setName] = useState(existing?.name ?? "");
  const [enabled, setEnabled] = useState(existing?.enabled ?? true);
  const [texts, setTexts] = useState<Record<string, string>>(() => fieldTexts(existing?.type ?? "webhook", existing));
  const [error, setError] = useState<{ message: string; field: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const fields = DESTINATION_TYPES[type].fields;

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = destinationBody(type, name, enabled, texts);
      const saved = existing
        ? await api<Destination>("PUT", `/api/destinations/${existing.id}`, body)
        : await api<Destination>("POST", "/api/destinations", body);
      onSaved(saved ?? existing!);
    } catch (err) {
      const message = (err as Error).message;
      setError({ message, field: fieldOfError(message, (err as ApiError).field) });
    } finally {
      setBusy(false);
    }
  };

  // "config.url: …" and "secrets.url: …" both name the url field.
  const errorFor = (key: string) => {
    const f = error?.field?.replace(/^(config|secrets)\./, "");
    return f === key || f?.startsWith(key + ".") ? error!.message : null;
  };
  const claimed = !!error && (errorFor("name") !== null || fields.some((f) => errorFor(f.key) !== null));

  return (
    <form class="card destination-form" onSubmit={save} aria-label={existing ? `Edit ${existing.name}` : "New destination"}>
      <div class="row wrap">
        <Field label="Type" id="dest-type">
          <select
            id="dest-type"
            value={type}
            disabled={!!existing}
            onChange={(e) => {
              const t = e.currentTarget.value as DestinationType;
              setType(t);
              setTexts(fieldTexts(t, null));
            }}
          >
            {Object.entries(DESTINATION_TYPES).map(([t, d]) => (
              <option key={t} value={t}>
                {d.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Name" id="dest-name" error={errorFor("name")}>
          <input id="dest-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
      </div>
      {fields.map((f) => {
        const id = `dest-${f.key}`;
        const isSet = !!existing && f.secret && secretIsSet(existing, f.key);
        const hint = (
          <>
            {isSet && <strong data-testid={`${id}-set`}>A value is set; leave blank to keep it. </strong>}
            {f.hint}
          </>
        );
        const value = texts[f.key] ?? "";
        const onInput = (e: { currentTarget: { value: string } }) => setTexts({ ...texts, [f.key]: e.currentTarget.value });
        const placeholder = isSet ? "•••••••• (unchanged)" : f.placeholder;
        return (
          <Field key={`${type}-${f.key}`} label={f.label} id={id} hint={hint} error={errorFor(f.key)}>
            {f.kind === "select" ? (
              <select id={id} value={value} onChange={onInput}>
                {f.options!.map((o) => (
                  <option key={o} value={o}>
                    {o || "default"}
                  </option>
                ))}
              </select>
            ) : f.kind === "headers" ? (
              <textarea
                id={id}
                class="mono"
                rows={3}
                value={value}
                placeholder={placeholder ?? "Authorization: Bearer …"}
                onInput={onInput}
              />
            ) : (
              <input {...inputType(f)} id={id} required={f.required && !isSet} value={value} placeholder={placeholder} onInput={onInput} />
            )}
          </Field>
        );
      })}
      {existing && (
        <label class="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> Enabled
          {existing.disabled_reason && <span class="muted small"> (disabled: {existing.disabled_reason})</span>}
        </label>
      )}
      {error && !claimed && <ErrorBox message={error.message} />}
      <div class="row">
        <button type="submit" class="btn primary" disabled={busy}>
          {busy ? "Saving…" : existing ? "Save destination" : "Create destination"}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
