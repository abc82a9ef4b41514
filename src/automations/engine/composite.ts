// Compound and sequence triggers (Prefect's CompositeTrigger): their state is the latest firing of
// each child, not per `for_each` key. On a child's firing, firings older than `within` are dropped
// and this one is kept; a compound trigger fires once enough children have fired (`any` at once),
// a sequence once every child has fired and their latest firings, by time, are in declared order.
// Firing clears them.
import type { CompoundTrigger, SequenceTrigger } from "../model.ts";
import type { Outcome } from "./event-trigger.ts";
import { seconds } from "./time.ts";

export class CompositeState {
  /** Child position → its latest firing. */
  firings = new Map<number, Outcome>();
  dirty = false;
  private readonly needed: number;
  private readonly within: number | null;

  constructor(readonly trigger: CompoundTrigger | SequenceTrigger) {
    const n = trigger.triggers.length;
    this.needed = trigger.type === "sequence" || trigger.require === "all" ? n : trigger.require === "any" ? 1 : trigger.require;
    this.within = trigger.within === null ? null : seconds(trigger.within);
  }

  /** A child fired; returns the composite's own firing, or null. */
  childFired(index: number, firing: Outcome): Outcome | null {
    if (firing.state !== "Triggered") return null;
    if (this.needed === 1 && this.trigger.type === "compound") return { ...firing };
    if (this.within !== null) {
      const horizon = firing.at - this.within;
      for (const [i, f] of this.firings) if (f.at < horizon) this.firings.delete(i);
    }
    this.firings.set(index, firing);
    this.dirty = true;
    if (!this.ready()) return null;
    this.firings = new Map();
    return { ...firing, labels: {} };
  }

  private ready(): boolean {
    if (this.firings.size < this.needed) return false;
    if (this.trigger.type === "compound") return true;
    const times = this.trigger.triggers.map((_, i) => this.firings.get(i)!.at);
    return times.every((t, i) => i === 0 || times[i - 1]! <= t);
  }

  serialize(): string | null {
    return this.firings.size === 0 ? null : JSON.stringify([...this.firings]);
  }

  restore(data: string): void {
    this.firings = new Map(JSON.parse(data) as [number, Outcome][]);
  }
}
