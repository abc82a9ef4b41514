// The form for the common event trigger: which events, on which resource, how many, within how
// long, present (Reactive) or absent (Proactive). Anything else stays in the JSON view.
import { getIn, humanSeconds, labelValue, parseList, showList, type Draft, type Path } from "../lib/automation-draft.ts";
import { BufferedInput } from "./BufferedInput.tsx";
import { Field } from "./ui.tsx";

interface Props {
  draft: Draft;
  set: (path: Path, value: unknown) => void;
  errorFor: (control: string) => string | null;
}

const ID = "prefect.resource.id";
const showNumber = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const parseNumber = (s: string): unknown => (s.trim() === "" ? undefined : Number(s));

export function TriggerFields({ draft, set, errorFor }: Props) {
  const t = (key: string) => getIn(draft, ["trigger", key]);
  if (t("type") !== "event")
    return (
      <p class="notice" data-testid="trigger-json-only">
        This is a {String(t("type") ?? "custom")} trigger: edit it in the JSON view.
      </p>
    );
  const proactive = t("posture") === "Proactive";
  const within = Number(t("within") ?? 0);
  const related = t("match_related");
  const relatedIsOne = related === undefined || (related !== null && typeof related === "object" && !Array.isArray(related));

  return (
    <fieldset class="plain trigger-fields">
      <legend>Trigger</legend>
      <div class="row wrap">
        <Field
          label="Event names"
          id="au-expect"
          hint="Comma-separated; * matches anything, e.g. stripe.payment.*"
          error={errorFor("trigger.expect")}
        >
          <BufferedInput<unknown>
            id="au-expect"
            value={t("expect")}
            show={showList}
            parse={parseList}
            placeholder="any event"
            onValue={(v) => set(["trigger", "expect"], v)}
          />
        </Field>
        <Field label="Posture" id="au-posture" error={errorFor("trigger.posture")}>
          <select
            id="au-posture"
            value={String(t("posture") ?? "Reactive")}
            onChange={(e) => set(["trigger", "posture"], e.currentTarget.value)}
          >
            <option value="Reactive">Reactive: when the events arrive</option>
            <option value="Proactive">Proactive: when they do not arrive in time</option>
          </select>
        </Field>
      </div>
      <div class="row wrap">
        <Field label="Resource id" id="au-resource" hint="The event's resource; globs and ! work." error={errorFor("trigger.match")}>
          <BufferedInput<unknown>
            id="au-resource"
            class="mono"
            value={getIn(draft, ["trigger", "match", ID])}
            show={showList}
            parse={labelValue}
            placeholder="any resource"
            onValue={(v) => set(["trigger", "match", ID], v)}
          />
        </Field>
        <Field
          label="Related resource id"
          id="au-related"
          hint={relatedIsOne ? "e.g. the webhook the event came through" : "Several specs: edit them in the JSON view."}
          error={errorFor("trigger.match_related")}
        >
          <BufferedInput<unknown>
            id="au-related"
            class="mono"
            disabled={!relatedIsOne}
            value={relatedIsOne ? getIn(related, [ID]) : undefined}
            show={showList}
            parse={labelValue}
            onValue={(v) => set(["trigger", "match_related", ID], v)}
          />
        </Field>
      </div>
      <div class="row wrap">
        <Field
          label={proactive ? "Alert if fewer than" : "Fire after"}
          id="au-threshold"
          hint="events"
          error={errorFor("trigger.threshold")}
        >
          <BufferedInput<unknown>
            id="au-threshold"
            type="number"
            min={0}
            step={1}
            value={t("threshold") ?? 1}
            show={showNumber}
            parse={parseNumber}
            onValue={(v) => set(["trigger", "threshold"], v)}
          />
        </Field>
        <Field
          label="Within (seconds)"
          id="au-within"
          hint={humanSeconds(within) || (proactive ? "at least 10 s" : "0: each event on its own")}
          error={errorFor("trigger.within")}
        >
          <BufferedInput<unknown>
            id="au-within"
            type="number"
            min={0}
            step="any"
            value={t("within") ?? 0}
            show={showNumber}
            parse={parseNumber}
            onValue={(v) => set(["trigger", "within"], v)}
          />
        </Field>
        <Field
          label="For each (labels)"
          id="au-for-each"
          hint="Counts each value apart, e.g. prefect.resource.id"
          error={errorFor("trigger.for_each")}
        >
          <BufferedInput<unknown>
            id="au-for-each"
            class="mono"
            value={t("for_each")}
            show={showList}
            parse={parseList}
            onValue={(v) => set(["trigger", "for_each"], v)}
          />
        </Field>
      </div>
      <Field
        label="After (event names)"
        id="au-after"
        hint="Optional: start counting only after one of these."
        error={errorFor("trigger.after")}
      >
        <BufferedInput<unknown>
          id="au-after"
          value={t("after")}
          show={showList}
          parse={parseList}
          onValue={(v) => set(["trigger", "after"], v)}
        />
      </Field>
    </fieldset>
  );
}
