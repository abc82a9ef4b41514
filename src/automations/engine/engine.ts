// The automation engine: evaluates every committed event, once, after its commit. It takes the
// events after its durable watermark, a batch at a time, as the bus published them (or, when those
// do not continue the watermark, from the event store: pending.ts). A wake is coalesced for a few
// milliseconds, so that under load a batch holds many events. Each batch's outcome (the state that changed, the watermark, the firings'
// events and their queued actions) is written in one transaction, so that after a crash every
// event is evaluated exactly once. Trigger state lives in memory and is written through, per
// changed bucket, in that transaction. Proactive deadlines are checked after each batch and by a
// timer (tests call `tick()` on a fake clock).
import type { ActionOutbox } from "../../actions/store/outbox.ts";
import { DEFAULT_ENGINE_BATCH, DEFAULT_ENGINE_COALESCE_MS, DEFAULT_RUNAWAY_FIRINGS, DEFAULT_RUNAWAY_WINDOW_MS } from "../../config.ts";
import type { Clock } from "../../context.ts";
import type { Db } from "../../db/open.ts";
import { atomically } from "../../db/transaction.ts";
import { RESOURCE_ID } from "../../events/model.ts";
import type { EventStore, StoredEvent } from "../../events/store/event-store.ts";
import type { StagedEvents } from "../../events/store/staged.ts";
import type { Logger } from "../../log.ts";
import type { Automation, AutomationCore, AutomationEngine, AutomationStatus, DryRunResult } from "../model.ts";
import type { AutomationStore } from "../store/automations.ts";
import { AutomationStateStore, type FiringTimes } from "../store/state.ts";
import { dryRun } from "./dry-run.ts";
import type { Outcome } from "./event-trigger.ts";
import { runawayEvent, runawayReason, toFiring } from "./firing.ts";
import { PendingEvents } from "./pending.ts";
import { Registry, type Entry, type Loaded } from "./registry.ts";
import { RunawayGuard } from "./runaway.ts";
import { statusOf } from "./status.ts";
import { eventTime } from "./time.ts";

/** CPU time the process has used, in milliseconds (on a shared machine, steadier than the wall clock). */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export interface EngineDeps {
  db: Db;
  events: EventStore;
  /** Committed events, in commit order (the live feed's bus): they only wake the engine. */
  bus: { subscribe(listener: (events: StoredEvent[]) => void): () => void };
  staged: StagedEvents;
  outbox: ActionOutbox;
  automations: AutomationStore;
  clock: Clock;
  logger: Logger;
}

export interface EngineOptions {
  batch?: number;
  runawayFirings?: number;
  runawayWindowMs?: number;
  /** How often the deadline timer looks at the clock. */
  timerMs?: number;
  /** How long a wake waits for more events before the batch runs. */
  coalesceMs?: number;
  newId?: () => string;
}

export class Engine implements AutomationEngine {
  private readonly state: AutomationStateStore;
  private readonly registry = new Registry();
  private readonly guard: RunawayGuard;
  private readonly batch: number;
  private times = new Map<string, FiringTimes>();
  private watermark = 0;
  /** Automations changed since the last batch, applied before the next one. */
  private readonly changed = new Set<string>();
  private running: Promise<void> | null = null;
  private scheduled: ReturnType<typeof setTimeout> | null = null;
  private readonly pending: PendingEvents;
  private again = false;
  private started = false;
  private stopped = false;
  private detach: (() => void)[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private nextDue: number | null = null;
  private lastSweep = 0;
  private passes = 0;
  /** Trigger evaluations so far (an event times the candidate triggers it reached): tests and the benchmark. */
  evaluations = 0;
  /**
   * Events taken in batches, and the process's CPU milliseconds spent on them (evaluation and the
   * batch's transaction; `recordMs` the transaction alone): the benchmark.
   */
  readonly stats = { events: 0, batches: 0, busyMs: 0, recordMs: 0 };

  constructor(
    private readonly deps: EngineDeps,
    private readonly opts: EngineOptions = {},
  ) {
    this.state = new AutomationStateStore(deps.db);
    this.guard = new RunawayGuard(opts.runawayFirings ?? DEFAULT_RUNAWAY_FIRINGS, opts.runawayWindowMs ?? DEFAULT_RUNAWAY_WINDOW_MS);
    this.batch = opts.batch ?? DEFAULT_ENGINE_BATCH;
    this.pending = new PendingEvents(deps.events);
  }

  /** Loads automations and state, then evaluates what is pending and any deadline missed while stopped. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.loadAll();
    this.detach.push(
      this.deps.bus.subscribe((events) => {
        this.pending.published(events);
        this.schedule();
      }),
      this.deps.automations.onChange((id) => {
        this.changed.add(id);
        this.wake();
      }),
    );
    this.timer = setInterval(() => {
      if (this.nextDue !== null && this.nextDue <= this.deps.clock.now()) this.wake();
    }, this.opts.timerMs ?? 1000);
    this.timer.unref?.();
    this.wake();
  }

  /** Evaluates pending events and due deadlines now; resolves once the engine has caught up. */
  async tick(): Promise<void> {
    this.wake();
    while (this.running) await this.running;
  }

  /** A pass soon: new events wait a moment for more to join their batch. */
  private schedule(): void {
    if (this.scheduled || this.running || !this.started || this.stopped) {
      if (this.running) this.again = true;
      return;
    }
    this.scheduled = setTimeout(() => this.wake(), this.opts.coalesceMs ?? DEFAULT_ENGINE_COALESCE_MS);
  }

  /** Runs a pass now (one at a time; a wake during a pass runs another after it). */
  wake(): void {
    if (this.scheduled) clearTimeout(this.scheduled);
    this.scheduled = null;
    if (!this.started || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const detach of this.detach) detach();
    this.detach = [];
    if (this.timer) clearInterval(this.timer);
    if (this.scheduled) clearTimeout(this.scheduled);
    this.timer = this.scheduled = null;
    while (this.running) await this.running;
  }

  statusOf(id: string): AutomationStatus | null {
    const automation = this.deps.automations.get(id);
    if (!automation) return null;
    return statusOf(automation, this.times.get(id), this.registry.loaded.get(id)?.evaluator ?? null);
  }

  dryRun(core: AutomationCore, opts: { limit: number }): Promise<DryRunResult> {
    return dryRun(this.deps.events, core, opts.limit, this.deps.clock.now());
  }

  private loadAll(): void {
    this.registry.clear();
    const rows = this.state.load();
    for (const automation of this.deps.automations.list()) {
      if (automation.enabled) this.registry.load(automation, rows.get(automation.id) ?? []);
    }
    this.times = this.state.firingTimes();
    const stored = this.state.watermark();
    this.watermark = stored ?? this.deps.events.lastSeq();
    // The first start evaluates what is committed from now on.
    if (stored === null) this.state.setWatermark(this.watermark);
    this.nextDue = this.registry.nextDue();
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        // Memory may be ahead of what committed: start again from what is durable.
        this.deps.logger.error("automation engine: a batch failed; reloading its state", { error });
        this.loadAll();
        return;
      }
    } while (this.again && !this.stopped);
  }

  private async pass(): Promise<void> {
    for (;;) {
      const batch = await this.pending.next(this.watermark, this.batch);
      if (this.stopped) return;
      const busySince = cpuMs();
      const touched = new Set<Loaded>();
      const passNo = ++this.passes;
      const resets = this.applyChanges(touched);
      const decided: [Loaded, Outcome][] = [];
      // Events of a batch repeat names and resources: each pair is looked up once per batch.
      const lookups = new Map<string, Entry[]>();
      for (const { event } of this.registry.loaded.size > 0 ? batch : []) {
        const pair = `${event.event}\u0000${event.resource[RESOURCE_ID]}`;
        let candidates = lookups.get(pair);
        if (!candidates) lookups.set(pair, (candidates = this.registry.index.candidates(event)));
        if (candidates.length === 0) continue;
        const at = eventTime(event);
        const owner = event.resource[RESOURCE_ID]!;
        this.evaluations += candidates.length;
        for (const entry of candidates) {
          const loaded = entry.loaded;
          if (owner === loaded.resourceId) continue; // its own events never count for it
          if (loaded.pass !== passNo) {
            loaded.pass = passNo;
            touched.add(loaded);
          }
          const outcomes = loaded.evaluator.onEvent(entry.leaf, event, at);
          for (const outcome of outcomes) decided.push([loaded, outcome]);
        }
      }
      const caughtUp = batch.length < this.batch && !this.pending.waiting;
      const now = this.deps.clock.now();
      if (caughtUp) this.checkDeadlines(now, touched, decided);
      const last = batch.length > 0 ? batch.at(-1)!.seq : this.watermark;
      if (batch.length === 0 && touched.size === 0 && resets.length === 0) return;
      const recordSince = cpuMs();
      const fired = this.record(resets, touched, decided, last, now);
      this.stats.recordMs += cpuMs() - recordSince;
      this.watermark = last;
      this.nextDue = this.registry.nextDue();
      this.stats.events += batch.length;
      this.stats.batches++;
      this.stats.busyMs += cpuMs() - busySince;
      if (fired || resets.length > 0) {
        this.deps.outbox.notify();
        await this.deps.staged
          .flush(this.deps.events)
          .catch((error) => this.deps.logger.error("automation engine: could not write staged events", { error }));
      }
      if (caughtUp || this.stopped) return;
    }
  }

  private checkDeadlines(now: number, touched: Set<Loaded>, decided: [Loaded, Outcome][]): void {
    if (now - this.lastSweep >= 60_000) {
      this.lastSweep = now;
      for (const loaded of this.registry.loaded.values()) {
        loaded.evaluator.sweep(now);
        touched.add(loaded);
      }
    }
    if (this.nextDue === null || this.nextDue > now) return;
    for (const loaded of this.registry.due(now)) {
      touched.add(loaded);
      for (const outcome of loaded.evaluator.onDeadlines(now)) decided.push([loaded, outcome]);
    }
  }

  /** Reloads the automations that changed; returns those whose stored state must be dropped. */
  private applyChanges(touched: Set<Loaded>): string[] {
    const resets: string[] = [];
    for (const id of this.changed) {
      const automation = this.deps.automations.get(id);
      const current = this.registry.loaded.get(id);
      if (current && automation?.enabled && current.triggerJson === JSON.stringify(automation.trigger)) {
        current.automation = automation;
        continue;
      }
      this.registry.unload(id);
      this.guard.forget(id);
      if (!automation) {
        this.times.delete(id);
        continue;
      }
      resets.push(id);
      if (automation.enabled) touched.add(this.registry.load(automation, []));
    }
    this.changed.clear();
    return resets;
  }

  /** Writes the batch: state, firings and their actions, the watermark. Returns how many firings it recorded. */
  private record(resets: string[], touched: Set<Loaded>, decided: [Loaded, Outcome][], last: number, now: number): number {
    const { state, deps } = this;
    const newId = this.opts.newId ?? (() => Bun.randomUUIDv7());
    const paused = new Set<string>();
    let fired = 0;
    atomically(deps.db, () => {
      for (const id of resets) state.reset(id);
      for (const loaded of touched) {
        if (!this.registry.loaded.has(loaded.automation.id)) continue;
        this.registry.refreshDue(loaded);
        for (const change of loaded.evaluator.takeChanges()) state.write(loaded.automation.id, change.triggerId, change.bucket, change.row);
      }
      for (const [loaded, outcome] of decided) {
        const automation = loaded.automation;
        if (paused.has(automation.id)) continue;
        if (!this.guard.allow(automation.id, now)) {
          paused.add(automation.id);
          this.pauseRunaway(automation, now, newId());
          continue;
        }
        const firing = toFiring(automation, outcome, now, { firing: newId(), event: newId() });
        deps.staged.stage([firing.state_event]);
        deps.outbox.enqueue(firing);
        const times = this.times.get(automation.id) ?? { last_triggered: null, last_resolved: null };
        if (outcome.state === "Triggered") times.last_triggered = now;
        else times.last_resolved = now;
        this.times.set(automation.id, times);
        state.setFiringTimes(automation.id, times);
        fired++;
      }
      state.setWatermark(last);
    });
    return fired + paused.size;
  }

  private pauseRunaway(automation: Automation, now: number, eventId: string): void {
    const { limit, windowMs } = this.guard;
    this.deps.logger.warn("automation paused: it fired too often", { automation: automation.id, limit, windowMs });
    this.deps.automations.setEnabled(automation.id, false, runawayReason(limit, windowMs));
    this.deps.staged.stage([runawayEvent(automation, limit, windowMs, now, eventId)]);
  }
}
