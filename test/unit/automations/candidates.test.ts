// The candidate index: an event finds the triggers that name it (exactly, by prefix, or by its
// resource id) and those that say nothing indexable; never the others.
import { expect, test } from "bun:test";
import { CandidateIndex } from "../../../src/automations/engine/candidates.ts";
import type { EventTrigger } from "../../../src/automations/model.ts";
import { eventTrigger, testEvent } from "../../support/automation-engine.ts";

const entry = (name: string, fields: Partial<EventTrigger>) => ({ name, trigger: eventTrigger(fields) });

test("an event finds only the triggers that might care about it, each once", () => {
  const index = new CandidateIndex<ReturnType<typeof entry>>();
  const entries = [
    entry("exact", { expect: ["github.push"] }),
    entry("prefix", { expect: ["github.*"] }),
    entry("after and expect", { after: ["github.push"], expect: ["deploy.done"] }),
    entry("resource", { match: { "prefect.resource.id": "repo.inlet" } }),
    entry("resource prefix", { match: { "prefect.resource.id": "repo.*" } }),
    entry("glob inside: unindexed", { expect: ["*.push"] }),
    entry("negated resource: unindexed", { match: { "prefect.resource.id": "!repo.other" } }),
    entry("unrelated name", { expect: ["stripe.charge.failed"] }),
    entry("unrelated prefix", { expect: ["gitlab.*"] }),
    entry("unrelated resource", { match: { "prefect.resource.id": "repo.elsewhere" } }),
  ];
  for (const e of entries) index.add(e);
  for (let i = 0; i < 900; i++) index.add(entry(`unrelated ${i}`, { expect: [`other.${i}`] }));
  const found = index.candidates(testEvent("github.push", { at: 0, resource: "repo.inlet" })).map((e) => e.name);
  expect(found.sort()).toEqual(
    ["exact", "prefix", "after and expect", "resource", "resource prefix", "glob inside: unindexed", "negated resource: unindexed"].sort(),
  );
  expect(index.unindexedCount).toBe(2);
  index.remove(entries[0]!);
  expect(index.candidates(testEvent("github.push", { at: 0, resource: "x" })).map((e) => e.name)).not.toContain("exact");
});
