// The automations the engine evaluates, in memory: each enabled automation's evaluator and its
// leaves in the candidate index. Changes reported by the store are applied between batches, so a
// batch sees one version of every automation.
import { automationResourceId, type Automation, type EventTrigger } from "../model.ts";
import type { StateRow } from "./evaluator.ts";
import { TriggerEvaluator, type LeafNode } from "./evaluator.ts";
import { CandidateIndex } from "./candidates.ts";

export interface Loaded {
  automation: Automation;
  evaluator: TriggerEvaluator;
  /** The trigger as JSON: a change of it starts the state afresh. */
  triggerJson: string;
  /** Its own events (firings, actions, lifecycle) carry this resource id and never count for it. */
  resourceId: string;
  entries: Entry[];
  /** The engine's last pass that touched it (so that a pass lists it once without a set lookup per event). */
  pass?: number;
}

export interface Entry {
  loaded: Loaded;
  leaf: LeafNode;
  trigger: EventTrigger;
  /** The candidate index's mark (candidates.ts). */
  seen?: number;
}

export class Registry {
  readonly loaded = new Map<string, Loaded>();
  readonly index = new CandidateIndex<Entry>();
  /** Each automation's earliest Proactive deadline (those with one), kept up to date by `refreshDue`. */
  private readonly dues = new Map<Loaded, number>();

  /** Loads an enabled automation with its stored state; a Proactive trigger starts watching at its last change. */
  load(automation: Automation, rows: StateRow[]): Loaded {
    const evaluator = new TriggerEvaluator(automation.trigger);
    evaluator.restore(rows);
    evaluator.startWatching(Date.parse(automation.updated));
    const loaded: Loaded = {
      automation,
      evaluator,
      triggerJson: JSON.stringify(automation.trigger),
      resourceId: automationResourceId(automation.id),
      entries: [],
    };
    loaded.entries = evaluator.leaves.map((leaf) => ({ loaded, leaf, trigger: leaf.state.trigger }));
    for (const entry of loaded.entries) this.index.add(entry);
    this.loaded.set(automation.id, loaded);
    this.refreshDue(loaded);
    return loaded;
  }

  unload(id: string): void {
    const loaded = this.loaded.get(id);
    if (!loaded) return;
    for (const entry of loaded.entries) this.index.remove(entry);
    this.loaded.delete(id);
    this.dues.delete(loaded);
  }

  clear(): void {
    for (const id of [...this.loaded.keys()]) this.unload(id);
  }

  /** Notes an automation's earliest deadline after its state changed. */
  refreshDue(loaded: Loaded): void {
    const due = loaded.evaluator.nextDue();
    if (due === null) this.dues.delete(loaded);
    else this.dues.set(loaded, due);
  }

  /** The automations with a deadline at or before `now`. */
  due(now: number): Loaded[] {
    const due: Loaded[] = [];
    for (const [loaded, at] of this.dues) if (at <= now) due.push(loaded);
    return due;
  }

  /** The earliest Proactive deadline of any automation, or null. */
  nextDue(): number | null {
    let due: number | null = null;
    for (const d of this.dues.values()) if (due === null || d < due) due = d;
    return due;
  }
}
