// The candidate index: which event triggers might care about an event, found by the event's name
// (exact, or the prefix before a trailing `*`) or, for a trigger that expects any event, by its
// primary resource id, as the live feed indexes its subscribers. An event costs a few map lookups
// however many unrelated automations there are; only triggers that say nothing indexable (a
// pattern such as `*.failed`, or no names and no resource id) are looked at for every event.
import { RESOURCE_ID, type Event } from "../../events/model.ts";
import type { EventTrigger } from "../model.ts";

/** Patterns a key can find: exact strings and prefixes (a pattern whose only wildcard is a trailing `*`). */
interface Keys {
  exact: string[];
  prefixes: string[];
}

function keysOf(patterns: string[]): Keys | null {
  const keys: Keys = { exact: [], prefixes: [] };
  for (const p of patterns) {
    if (p.startsWith("!")) continue; // never looked up (see matching.ts)
    const body = p.endsWith("*") ? p.slice(0, -1) : p;
    if (/[*?[]/.test(body)) return null;
    if (body === p) keys.exact.push(p);
    else if (body === "") return null;
    else keys.prefixes.push(body);
  }
  return keys;
}

/** Where a trigger is indexed: by event name, by resource id, or nowhere (checked for every event). */
export function indexKeys(trigger: EventTrigger): { by: "name" | "resource"; keys: Keys } | null {
  if (trigger.expect.length > 0) {
    const names = keysOf([...trigger.expect, ...trigger.after]);
    if (names) return { by: "name", keys: names };
  }
  const ids = trigger.match[RESOURCE_ID];
  if (ids !== undefined) {
    const keys = keysOf(Array.isArray(ids) ? ids : [ids]);
    // A negated id says nothing about which ids match.
    const negated = (Array.isArray(ids) ? ids : [ids]).some((id) => id.startsWith("!"));
    if (keys && !negated) return { by: "resource", keys };
  }
  return null;
}

class KeyMap<T extends Stamped> {
  private readonly exact = new Map<string, Set<T>>();
  /** Prefix length → prefix → entries: an event costs one lookup per distinct length. */
  private readonly prefixes = new Map<number, Map<string, Set<T>>>();
  /** The lengths in `prefixes`, as a plain list for the per-event loop. */
  private lengths: number[] = [];

  add(keys: Keys, entry: T): void {
    for (const k of keys.exact) addTo(this.exact, k, entry);
    for (const p of keys.prefixes) {
      let byPrefix = this.prefixes.get(p.length);
      if (!byPrefix) this.prefixes.set(p.length, (byPrefix = new Map()));
      addTo(byPrefix, p, entry);
    }
    this.lengths = [...this.prefixes.keys()];
  }

  remove(keys: Keys, entry: T): void {
    for (const k of keys.exact) removeFrom(this.exact, k, entry);
    for (const p of keys.prefixes) {
      const byPrefix = this.prefixes.get(p.length);
      if (!byPrefix) continue;
      removeFrom(byPrefix, p, entry);
      if (byPrefix.size === 0) this.prefixes.delete(p.length);
    }
    this.lengths = [...this.prefixes.keys()];
  }

  find(value: string, found: T[], stamp: number): void {
    const exact = this.exact.get(value);
    if (exact) collect(exact, found, stamp);
    for (const length of this.lengths) {
      if (length > value.length) continue;
      const set = this.prefixes.get(length)!.get(value.slice(0, length));
      if (set) collect(set, found, stamp);
    }
  }
}

/** Adds the entries not yet found for this event (an entry may be reached through several keys). */
function collect<T extends Stamped>(set: Set<T>, found: T[], stamp: number): void {
  for (const entry of set) {
    if (entry.seen === stamp) continue;
    entry.seen = stamp;
    found.push(entry);
  }
}

function addTo<T>(map: Map<string, Set<T>>, key: string, entry: T): void {
  const set = map.get(key);
  if (set) set.add(entry);
  else map.set(key, new Set([entry]));
}

function removeFrom<T>(map: Map<string, Set<T>>, key: string, entry: T): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(entry);
  if (set.size === 0) map.delete(key);
}

/** An entry remembers the last lookup that found it, so that one lookup lists it once. */
interface Stamped {
  seen?: number;
}

export class CandidateIndex<T extends { trigger: EventTrigger } & Stamped> {
  private readonly byName = new KeyMap<T>();
  private readonly byResource = new KeyMap<T>();
  private stamp = 0;
  private readonly unindexed = new Set<T>();
  private readonly placed = new Map<T, ReturnType<typeof indexKeys>>();

  add(entry: T): void {
    const where = indexKeys(entry.trigger);
    this.placed.set(entry, where);
    if (!where) this.unindexed.add(entry);
    else (where.by === "name" ? this.byName : this.byResource).add(where.keys, entry);
  }

  remove(entry: T): void {
    if (!this.placed.has(entry)) return;
    const where = this.placed.get(entry)!;
    this.placed.delete(entry);
    if (!where) this.unindexed.delete(entry);
    else (where.by === "name" ? this.byName : this.byResource).remove(where.keys, entry);
  }

  /** Every entry that might care about the event, once each. */
  candidates(event: Event): T[] {
    const found: T[] = [];
    const stamp = ++this.stamp;
    this.byName.find(event.event, found, stamp);
    this.byResource.find(event.resource[RESOURCE_ID]!, found, stamp);
    if (this.unindexed.size > 0) collect(this.unindexed, found, stamp);
    return found;
  }

  /** How many entries are checked for every event (tests and the benchmark). */
  get unindexedCount(): number {
    return this.unindexed.size;
  }
}
