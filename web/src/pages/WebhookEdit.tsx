// Create or edit a webhook: details, template editor and playground; rotate and delete.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type InletEvent, type ServiceAccount, type Webhook } from "../api.ts";
import { Playground } from "../components/Playground.tsx";
import { StarterPicker } from "../components/StarterPicker.tsx";
import { TemplateEditor, type TemplateProblem } from "../components/TemplateEditor.tsx";
import { CopyButton, ErrorBox, Field, PageHeader, Spinner } from "../components/ui.tsx";
import { WebhookActions } from "../components/WebhookActions.tsx";
import { VerificationSection } from "../components/VerificationSection.tsx";
import { draftOf, verificationBody, type VerificationDraft } from "../lib/verification.ts";
import { emptySample, sampleFromPayload, STARTERS, type SampleRequest } from "../lib/starters.ts";
import { readableMessage } from "../lib/messages.ts";
import { problemText } from "../lib/problem-text.ts";
import { toast } from "../lib/toast.ts";
import { useUnsavedWarning } from "../lib/useUnsavedWarning.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { useIsAdmin } from "../session.ts";
import { shownHookUrl } from "../lib/hook-url.ts";

interface Draft {
  name: string;
  description: string;
  template: string;
  enabled: boolean;
  service_account_id: string | null;
  dedup_key: string;
  verification: VerificationDraft;
}

const startTemplate = (starter: string | null) => STARTERS.find((s) => s.id === starter)?.template ?? STARTERS[0]!.template;

const fromWebhook = (w: Webhook): Draft => ({
  name: w.name,
  description: w.description,
  template: w.template,
  enabled: w.enabled,
  service_account_id: w.service_account_id,
  dedup_key: w.dedup_key ?? "",
  verification: draftOf(w.verification),
});

/** The API body for a draft: secrets only when typed, and verification only when it changes. */
function bodyOf(draft: Draft, stored: Webhook | null) {
  const { verification, dedup_key, ...rest } = draft;
  const body: Record<string, unknown> = { ...rest, dedup_key: dedup_key.trim() || null };
  const v = verificationBody(verification, stored?.verification ?? null);
  if (v !== undefined) body.verification = v;
  return body;
}

export function WebhookEditPage({ id }: { id?: string }) {
  const admin = useIsAdmin();
  const { query } = useLocation();
  const replay = query.get("replay");
  const [webhook, setWebhook] = useState<Webhook | null>(null);
  const [draft, setDraft] = useState<Draft>({
    name: "",
    description: "",
    template: STARTERS[0]!.template,
    enabled: true,
    service_account_id: null,
    dedup_key: "",
    verification: draftOf(null),
  });
  const [starter, setStarter] = useState<string | null>(id ? null : STARTERS[0]!.id);
  const [sample, setSample] = useState<SampleRequest>(id ? emptySample() : STARTERS[0]!.sample);
  const [accounts, setAccounts] = useState<ServiceAccount[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<TemplateProblem | null>(null);
  const [replayNote, setReplayNote] = useState<string | null>(null);
  const playgroundRef = useRef<HTMLDivElement>(null);
  const [enforced, setEnforced] = useState(false);
  // What is saved (or, for a new webhook, what the chosen starter gives): anything else is unsaved.
  const baseline = webhook ? fromWebhook(webhook) : { ...draft, name: "", description: "", template: startTemplate(starter) };
  const dirty = admin && JSON.stringify(draft) !== JSON.stringify(baseline) && !busy;
  useUnsavedWarning(dirty, "This webhook has unsaved changes. Leave without saving them?");

  useEffect(() => {
    api<ServiceAccount[]>("GET", "/api/service-accounts").then(setAccounts, () => {});
    api<{ enforce_webhook_auth: boolean }>("GET", "/api/settings").then(
      (st) => setEnforced(st.enforce_webhook_auth),
      () => {},
    );
    if (!id) return;
    api<Webhook>("GET", `/api/webhooks/${id}`).then(
      (w) => (setWebhook(w), setDraft(fromWebhook(w))),
      (e) => setLoadError(e.message),
    );
  }, [id]);

  // ?replay=<event id>: load a stored (usually failed) request into the playground.
  useEffect(() => {
    if (!replay) return;
    api<InletEvent>("GET", `/api/events/${replay}`).then(
      (e) => {
        const s = sampleFromPayload(e.payload ?? {});
        if (!s) return setReplayNote("That event holds no request to replay.");
        setSample(s);
        const why = typeof e.payload.error === "string" ? ` It failed with: ${e.payload.error}` : "";
        setReplayNote(`Loaded the request from ${new Date(e.occurred).toLocaleString()}.${why}`);
        setTimeout(() => playgroundRef.current?.scrollIntoView({ behavior: "smooth" }), 50);
      },
      (err) => setReplayNote(`Could not load that request: ${err.message}`),
    );
  }, [replay]);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => (setDraft({ ...draft, [k]: v }), setSaved(false));

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setSaveError(null);
    try {
      if (id) {
        await api("PUT", `/api/webhooks/${id}`, bodyOf(draft, webhook));
        const w = await api<Webhook>("GET", `/api/webhooks/${id}`);
        setWebhook(w);
        setDraft(fromWebhook(w));
        setSaved(true);
        toast("Webhook updated: its next request uses these changes");
      } else {
        const w = await api<Webhook>("POST", "/api/webhooks/", bodyOf(draft, null));
        toast(`Webhook “${w.name}” created`);
        navigate(`/webhooks/${w.id}`, false, true); // saved: leaving loses nothing
      }
    } catch (err) {
      setSaveError(problemText(readableMessage((err as Error).message), (err as { line?: number }).line));
    } finally {
      setBusy(false);
    }
  };

  if (loadError) return <ErrorBox message={loadError} />;
  if (id && !webhook) return <Spinner label="Loading webhook" />;

  return (
    <section class="webhook-page">
      <PageHeader title={id ? webhook!.name : "New webhook"}>
        <Link class="btn" href="/webhooks">
          Back to webhooks
        </Link>
      </PageHeader>
      {webhook && (
        <div class="url-row card">
          <span class="muted">URL</span>
          <code class="url mono" data-testid="webhook-url">
            {shownHookUrl(webhook.url)}
          </code>
          {admin && <CopyButton text={shownHookUrl(webhook.url)} label="Copy URL" />}
        </div>
      )}
      <form class="webhook-form" onSubmit={save}>
        {!id && admin && (
          <StarterPicker
            chosen={starter}
            onPick={(s) => {
              setStarter(s.id);
              set("template", s.template);
              setSample(s.sample);
            }}
          />
        )}
        <fieldset disabled={!admin} class="plain">
          <div class="row wrap">
            <Field label="Name" id="wh-name">
              <input id="wh-name" required maxLength={200} value={draft.name} onInput={(e) => set("name", e.currentTarget.value)} />
            </Field>
            <Field
              label="Service account"
              id="wh-sa"
              hint={
                enforced && !draft.service_account_id
                  ? "Required: authentication is enforced on every webhook (Settings). Choose the account whose key senders will send."
                  : "Requests must then carry that account's key (Authorization: Bearer …)."
              }
            >
              <select
                id="wh-sa"
                value={draft.service_account_id ?? ""}
                onChange={(e) => set("service_account_id", e.currentTarget.value || null)}
              >
                {/* With authentication enforced, "None" is not a choice the server would accept. */}
                <option value="" disabled={enforced}>
                  {enforced ? "None (not allowed: authentication is required)" : "None (anyone with the URL)"}
                </option>
                {accounts.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({a.role})
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <Field label="Description" id="wh-desc">
            <input id="wh-desc" maxLength={5000} value={draft.description} onInput={(e) => set("description", e.currentTarget.value)} />
          </Field>
          <label class="check">
            <input type="checkbox" checked={draft.enabled} onChange={(e) => set("enabled", e.currentTarget.checked)} /> Enabled
          </label>
          <VerificationSection
            draft={draft.verification}
            stored={webhook?.verification ?? null}
            onChange={(v) => set("verification", v)}
            dedupKey={draft.dedup_key}
            onDedupKey={(k) => set("dedup_key", k)}
            duplicates={webhook?.duplicates}
          />
          <Field
            label="Template"
            id="wh-template"
            hint={<>Jinja syntax; it must render a Prefect event as JSON. Values printed inside quotes are JSON-escaped.</>}
          >
            <TemplateEditor
              id="wh-template"
              value={draft.template}
              onInput={(v) => set("template", v)}
              readOnly={!admin}
              onProblem={setProblem}
              sample={sample}
            />
          </Field>
        </fieldset>
        {saveError && <ErrorBox message={saveError} />}
        {admin && (
          <div class="row">
            <button type="submit" class="btn primary" disabled={busy || !!problem}>
              {busy ? "Saving…" : id ? "Save changes" : "Create webhook"}
            </button>
            {saved && (
              <span class="ok-text" role="status">
                Saved
              </span>
            )}
          </div>
        )}
      </form>
      <div ref={playgroundRef} class="playground-slot">
        {replayNote && (
          <p class="notice" role="status">
            {replayNote}
          </p>
        )}
        <Playground template={draft.template} sample={sample} onSample={setSample} webhookId={id} preferRecent={!replay} />
      </div>
      {admin && webhook && <WebhookActions webhook={webhook} onRotated={setWebhook} />}
    </section>
  );
}
