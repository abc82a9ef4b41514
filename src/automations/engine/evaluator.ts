// One automation's trigger, as a tree of event triggers (the leaves, which see events) and composite
// triggers (which see their children's firings), with its state in memory. What a leaf's firing
// becomes climbs the tree: a composite may fire in turn; what reaches the top is the automation's.
import type { Event } from "../../events/model.ts";
import type { Trigger } from "../model.ts";
import { CompositeState } from "./composite.ts";
import { EventTriggerState, type Outcome } from "./event-trigger.ts";
import { compileMatcher } from "./matching.ts";

interface Parent {
  node: CompositeNode;
  index: number;
}

export interface LeafNode {
  kind: "event";
  state: EventTriggerState;
  parent: Parent | null;
}

interface CompositeNode {
  kind: "composite";
  state: CompositeState;
  parent: Parent | null;
}

/** One row of automation_state: a leaf's key, or a composite's child firings (key ""). */
export interface StateRow {
  triggerId: string;
  bucket: string;
  data: string;
  due: number | null;
}

const NONE: readonly Outcome[] = Object.freeze([]);
/** Outcomes are rare: one array serves every evaluation until one fills it. */
let scratch: Outcome[] = [];

export class TriggerEvaluator {
  readonly leaves: LeafNode[] = [];
  private readonly composites: CompositeNode[] = [];

  constructor(trigger: Trigger) {
    this.build(trigger, null);
  }

  private build(trigger: Trigger, parent: Parent | null): void {
    if (trigger.type === "event") {
      this.leaves.push({ kind: "event", state: new EventTriggerState(trigger, compileMatcher(trigger)), parent });
      return;
    }
    const node: CompositeNode = { kind: "composite", state: new CompositeState(trigger), parent };
    this.composites.push(node);
    trigger.triggers.forEach((child, index) => this.build(child, { node, index }));
  }

  /** The top-level trigger is a Proactive event trigger (it has a waiting / down status). */
  get proactive(): boolean {
    return this.leaves.length === 1 && this.leaves[0]!.parent === null && this.leaves[0]!.state.proactive;
  }

  /** Evaluates an event through one leaf; returns the automation's firings (most events: none, and no allocation). */
  onEvent(leaf: LeafNode, event: Event, now: number): readonly Outcome[] {
    const outcomes = scratch;
    leaf.state.onEvent(event, now, outcomes);
    if (outcomes.length === 0) return NONE;
    scratch = [];
    return this.climb(leaf, outcomes);
  }

  onDeadlines(now: number): Outcome[] {
    const fired: Outcome[] = [];
    for (const leaf of this.leaves) {
      if (!leaf.state.proactive) continue;
      const outcomes: Outcome[] = [];
      leaf.state.onDeadlines(now, outcomes);
      fired.push(...this.climb(leaf, outcomes));
    }
    return fired;
  }

  private climb(leaf: LeafNode, outcomes: Outcome[]): Outcome[] {
    if (outcomes.length === 0 || leaf.parent === null) return outcomes;
    const fired: Outcome[] = [];
    for (let outcome of outcomes) {
      let parent: Parent | null = leaf.parent;
      let reached: Outcome | null = outcome;
      while (parent && reached) {
        reached = parent.node.state.childFired(parent.index, reached);
        if (reached) outcome = reached;
        parent = parent.node.parent;
      }
      if (reached) fired.push(outcome);
    }
    return fired;
  }

  nextDue(): number | null {
    let due: number | null = null;
    for (const leaf of this.leaves) {
      const d = leaf.state.nextDue();
      if (d !== null && (due === null || d < due)) due = d;
    }
    return due;
  }

  startWatching(at: number): void {
    for (const leaf of this.leaves) leaf.state.startWatching(at);
  }

  sweep(now: number): void {
    for (const leaf of this.leaves) leaf.state.sweep(now);
  }

  /** When the top-level Proactive trigger went down (the earliest of its keys), or null. */
  downSince(): number | null {
    if (!this.proactive) return null;
    let since: number | null = null;
    for (const ks of this.leaves[0]!.state.keys.values()) if (ks.down !== null && (since === null || ks.down < since)) since = ks.down;
    return since;
  }

  /** The rows changed since the last call: to write (with data) or to delete (data null). */
  takeChanges(): { triggerId: string; bucket: string; row: StateRow | null }[] {
    const changes: { triggerId: string; bucket: string; row: StateRow | null }[] = [];
    for (const { state } of this.leaves) {
      for (const key of state.dirty) {
        const s = state.serialize(key);
        changes.push({ triggerId: state.trigger.id, bucket: key, row: s && { triggerId: state.trigger.id, bucket: key, ...s } });
      }
      state.dirty.clear();
    }
    for (const { state } of this.composites) {
      if (!state.dirty) continue;
      const data = state.serialize();
      changes.push({
        triggerId: state.trigger.id,
        bucket: "",
        row: data === null ? null : { triggerId: state.trigger.id, bucket: "", data, due: null },
      });
      state.dirty = false;
    }
    return changes;
  }

  restore(rows: StateRow[]): void {
    for (const row of rows) {
      const leaf = this.leaves.find((l) => l.state.trigger.id === row.triggerId);
      if (leaf) leaf.state.restore(row.bucket, row.data);
      else this.composites.find((c) => c.state.trigger.id === row.triggerId)?.state.restore(row.data);
    }
  }
}
