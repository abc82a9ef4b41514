// The webhook editor's "Verification" section: the provider picker with where to paste what, the
// secret fields (write-only: a stored secret is never shown, only replaced) with a second one for
// rotation, the provider's settings, and the redelivery (dedup) key with its presets.
import type { VerificationView } from "../../../src/verification/model.ts";
import { DEDUP_PRESETS } from "../lib/dedup-presets.ts";
import { PROVIDERS, type SchemeChoice, type VerificationDraft } from "../lib/verification.ts";
import { Field } from "./ui.tsx";

interface Props {
  draft: VerificationDraft;
  stored: VerificationView | null;
  onChange: (d: VerificationDraft) => void;
  dedupKey: string;
  onDedupKey: (key: string) => void;
  duplicates?: number;
}

export function VerificationSection({ draft, stored, onChange, dedupKey, onDedupKey, duplicates }: Props) {
  const set = <K extends keyof VerificationDraft>(k: K, v: VerificationDraft[K]) => onChange({ ...draft, [k]: v });
  const provider = PROVIDERS.find((p) => p.scheme === draft.scheme);
  const keeps = stored !== null && stored.scheme === draft.scheme;
  const placeholder = keeps ? `Stored (${stored!.secret_count} secret${stored!.secret_count === 1 ? "" : "s"}); type to replace` : "";
  const preset = DEDUP_PRESETS.find((p) => p.key === dedupKey);

  return (
    <fieldset class="verification" aria-label="Verification">
      <legend>Verification</legend>
      <Field label="Sender" id="wh-scheme" hint="Requests must be signed by this sender; others get 401 and a failure event.">
        <select id="wh-scheme" value={draft.scheme} onChange={(e) => set("scheme", e.currentTarget.value as SchemeChoice)}>
          <option value="">None</option>
          {PROVIDERS.map((p) => (
            <option key={p.scheme} value={p.scheme}>
              {p.label}
            </option>
          ))}
        </select>
      </Field>
      {provider && (
        <>
          <p class="small muted" data-testid="verification-where">
            {provider.where}
          </p>
          <div class="row wrap">
            <Field label="Secret" id="wh-secret" hint={keeps ? "Never shown again once saved." : "Required; never shown again once saved."}>
              <input
                id="wh-secret"
                type="password"
                autocomplete="new-password"
                maxLength={1024}
                placeholder={placeholder}
                value={draft.secret}
                onInput={(e) => set("secret", e.currentTarget.value)}
              />
            </Field>
            <Field
              label="Second secret (rotation)"
              id="wh-secret2"
              hint={
                keeps
                  ? "Added to the stored secrets: requests signed with any of them pass (at most 3)."
                  : "Requests signed with either secret pass."
              }
            >
              <input
                id="wh-secret2"
                type="password"
                autocomplete="new-password"
                maxLength={1024}
                value={draft.rotationSecret}
                onInput={(e) => set("rotationSecret", e.currentTarget.value)}
              />
            </Field>
          </div>
          {provider.timestamped && (
            <Field label="Window (seconds)" id="wh-tolerance" hint="How old a signed timestamp may be; 300 when empty.">
              <input
                id="wh-tolerance"
                inputMode="numeric"
                placeholder="300"
                value={draft.tolerance}
                onInput={(e) => set("tolerance", e.currentTarget.value)}
              />
            </Field>
          )}
          {draft.scheme === "hmac" && (
            <div class="row wrap">
              <Field label="Signature header" id="wh-sig-header">
                <input
                  id="wh-sig-header"
                  placeholder="X-Signature"
                  value={draft.header}
                  onInput={(e) => set("header", e.currentTarget.value)}
                />
              </Field>
              <Field label="Algorithm" id="wh-algorithm">
                <select
                  id="wh-algorithm"
                  value={draft.algorithm}
                  onChange={(e) => set("algorithm", e.currentTarget.value as VerificationDraft["algorithm"])}
                >
                  <option value="sha256">SHA-256</option>
                  <option value="sha512">SHA-512</option>
                  <option value="sha1">SHA-1</option>
                </select>
              </Field>
              <Field label="Encoding" id="wh-encoding">
                <select
                  id="wh-encoding"
                  value={draft.encoding}
                  onChange={(e) => set("encoding", e.currentTarget.value as VerificationDraft["encoding"])}
                >
                  <option value="hex">hex</option>
                  <option value="base64">base64</option>
                </select>
              </Field>
              <Field label="Prefix" id="wh-prefix">
                <input id="wh-prefix" placeholder="sha256=" value={draft.prefix} onInput={(e) => set("prefix", e.currentTarget.value)} />
              </Field>
            </div>
          )}
        </>
      )}
      <div class="row wrap">
        <Field
          label="Redeliveries"
          id="wh-dedup-preset"
          hint="A request whose key was already stored is answered 204 and not stored again."
        >
          <select
            id="wh-dedup-preset"
            value={preset?.key ?? (dedupKey ? "custom" : "")}
            onChange={(e) => onDedupKey(e.currentTarget.value === "custom" ? dedupKey : e.currentTarget.value)}
          >
            <option value="">Store every request</option>
            {DEDUP_PRESETS.map((p) => (
              <option key={p.provider} value={p.key}>
                {p.provider}
              </option>
            ))}
            <option value="custom">Custom key…</option>
          </select>
        </Field>
        <Field label="Dedup key" id="wh-dedup-key">
          <input id="wh-dedup-key" class="mono" maxLength={1000} value={dedupKey} onInput={(e) => onDedupKey(e.currentTarget.value)} />
        </Field>
      </div>
      {duplicates !== undefined && (
        <p class="small muted" data-testid="duplicates">
          {duplicates} redeliver{duplicates === 1 ? "y" : "ies"} answered without storing.
        </p>
      )}
    </fieldset>
  );
}
