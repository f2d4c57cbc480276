// Several replicas: which models this one owns (coordination/ownership) and the state each owner keeps in
// ClickHouse (coordination/shared-state) so the next owner continues exactly where it stopped: the sequential
// tests' evidence, the model's alerts and its undelivered notifications, in one row per model written in one
// insert. Models declared through the API, silences and acknowledgements are shared the same way. Everything
// here runs under one lock with the evaluation's decisions and the alert tick: a notification is sent only once
// the state holding it is stored, so a new owner neither loses nor re-sends it.
import type { Alert, AlertDispatch, AlertEvent, IncidentBookState, Outbox, OutboxModelState, Silence, StreamDecision } from '../alerting/index.js';
import type { Ownership } from '../coordination/ownership.js';
import { epochOfVersion, streamVersion, type SharedRecord, type SharedState } from '../coordination/shared-state.js';
import { readModel, writeModel, type Evaluator, type JudgeState, type ModelRegistry } from '../evaluate/index.js';
import type { Logger } from '../telemetry/log.js';

/** What the owner of a model stores (kind 'stream'). */
export interface StreamBody {
  judge?: JudgeState;
  alerts: Alert[];
  /** the model's open incident (alerting/incident.ts); absent in older state */
  incidents?: IncidentBookState;
  outbox: OutboxModelState;
}

interface AckBody {
  alertId: string;
  by: string;
  at: number;
}

export interface ReplicasOptions {
  ownership: Ownership;
  shared: SharedState;
  evaluator: Evaluator;
  dispatch: AlertDispatch;
  outbox: Outbox | null;
  models: ModelRegistry;
  /** ids the models file declares: an API declaration never replaces them */
  fromFile: ReadonlySet<string>;
  logger: Logger;
  clock?: () => number;
}

const EMPTY_OUTBOX: OutboxModelState = { pending: [], remembered: [], settled: [] };
const SEQ_SPAN = streamVersion(1, 0);

export class Replicas {
  /** models taken over, with the epoch and the last write counter of this term */
  private readonly held = new Map<string, { epoch: number; seq: number }>();
  /** models whose state changed but could not be stored: their notifications wait */
  private readonly unsaved = new Set<string>();
  private readonly written = new Map<string, string>();
  private readonly declared = new Map<string, number>();
  private lock: Promise<unknown> = Promise.resolve();
  private writes: Promise<unknown> = Promise.resolve();
  private applyingRemote = false;
  private readonly clock: () => number;
  private dispatch!: AlertDispatch;

  constructor(private readonly o: Omit<ReplicasOptions, 'dispatch'> & { dispatch?: AlertDispatch }) {
    this.clock = o.clock ?? Date.now;
    if (o.dispatch) this.attach(o.dispatch);
    // what an operator declares or silences here, every replica gets (written in order, awaited by sync)
    o.models.onDeclare((m) => {
      if (!this.applyingRemote) this.queueWrite({ kind: 'model', key: m.id, version: this.clock(), epoch: 0, body: writeModel(m) });
    });
  }

  /** The dispatch is built with this object's owns/sendable/forward; attached once it exists. */
  attach(dispatch: AlertDispatch): void {
    this.dispatch = dispatch;
    dispatch.book.onSilence((s, lifted) => this.queueWrite({ kind: 'silence', key: s.id, version: this.clock(), epoch: 0, deleted: lifted, body: s }));
  }

  /** Runs `fn` after everything queued before it (one at a time). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  owns(model: string): boolean {
    const h = this.held.get(model);
    return h !== undefined && this.o.ownership.epochOf(model) === h.epoch;
  }

  sendable(model: string): boolean {
    return !this.unsaved.has(model);
  }

  owned(): string[] {
    return [...this.held.keys()].filter((m) => this.owns(m)).sort();
  }

  /** Hands an acknowledgement made on this replica to the owner of the alert's model. */
  async forwardAcknowledge(event: AlertEvent): Promise<void> {
    this.queueWrite({ kind: 'ack', key: `${event.alertId}:${event.seq}`, version: this.clock(), epoch: 0, body: { alertId: event.alertId, by: event.by ?? '', at: event.at } satisfies AckBody });
    await this.writes;
  }

  private queueWrite(record: Omit<SharedRecord, 'deleted'> & { deleted?: boolean }): void {
    this.writes = this.writes.then(() => this.o.shared.write([record])).catch((error: Error) => this.o.logger.log('error', 'shared_state_not_written', { kind: record.kind, key: record.key, error: error.message }));
  }

  /**
   * Brings this replica in line with the others (call under serial): shared declarations and silences, then
   * models gained (taken over from their stored state) and lost, a copy of the other owners' alerts for the API,
   * and the acknowledgements waiting for the models owned here.
   */
  async sync(): Promise<void> {
    await this.writes;
    const [models, silences, streams] = await Promise.all([
      this.o.shared.read<Record<string, unknown>>('model'),
      this.o.shared.read<Silence>('silence'),
      this.o.shared.read<StreamBody>('stream'),
    ]);
    this.applyModels(models);
    this.dispatch.book.setSilences(silences.filter((r) => !r.deleted).map((r) => r.body));
    const stored = new Map(streams.map((r) => [r.key, r]));
    for (const [model, h] of this.held) if (this.o.ownership.epochOf(model) !== h.epoch) this.release(model, 'moved');
    const known = new Set([...this.o.models.list().map((m) => m.id), ...stored.keys()]);
    for (const model of known) {
      const epoch = this.o.ownership.epochOf(model);
      if (epoch !== null && !this.held.has(model)) this.takeOver(model, epoch, stored.get(model));
    }
    for (const [model, r] of stored) if (!this.held.has(model)) this.dispatch.book.replaceModel(model, r.body.alerts ?? [], r.body.incidents);
    await this.applyAcknowledgements();
    await this.saveChanged();
  }

  /**
   * Records decisions through `record` (the alert lifecycle) for the models this replica owns and is not fenced
   * from, then stores their state; decisions for other models are dropped (their owner makes its own).
   */
  decide<T>(decisions: StreamDecision[], record: (owned: StreamDecision[]) => Promise<T[]>): Promise<T[]> {
    return this.serial(async () => {
      const models: string[] = [];
      for (const m of new Set(decisions.map((d) => d.model))) if (await this.ensureHeld(m)) models.push(m);
      const owned = new Set(await this.unfenced(models));
      const out = await record(decisions.filter((d) => owned.has(d.model)));
      await this.saveChanged([...owned]);
      return out;
    });
  }

  /** The models whose stored state is not newer than this replica's epoch; the others are let go. */
  private async unfenced(models: readonly string[]): Promise<string[]> {
    if (models.length === 0) return [];
    const stored = new Map((await this.o.shared.read('stream', models)).map((r) => [r.key, r]));
    return models.filter((model) => {
      const h = this.held.get(model);
      const newer = stored.get(model);
      if (!h || !newer || epochOfVersion(newer.version) <= h.epoch) return h !== undefined;
      this.o.logger.log('error', 'ownership_fenced', { model, epoch: h.epoch, stored_epoch: epochOfVersion(newer.version) });
      this.release(model, 'fenced');
      return false;
    });
  }

  /** A model this replica owns but has not taken over yet (e.g. a GPU host's first degradation). */
  async ensureHeld(model: string): Promise<boolean> {
    const epoch = this.o.ownership.epochOf(model);
    if (epoch === null) return false;
    if (!this.held.has(model)) this.takeOver(model, epoch, (await this.o.shared.read<StreamBody>('stream', [model]))[0]);
    return this.owns(model);
  }

  private applyModels(records: Array<SharedRecord<Record<string, unknown>>>): void {
    for (const r of records) {
      if (r.deleted || this.o.fromFile.has(r.key) || (this.declared.get(r.key) ?? -1) >= r.version) continue;
      this.declared.set(r.key, r.version);
      try {
        this.applyingRemote = true;
        this.o.models.declare(readModel(r.body, `shared model ${r.key}`));
      } catch (error) {
        this.o.logger.log('warn', 'shared_model_not_declared', { model: r.key, error: (error as Error).message });
      } finally {
        this.applyingRemote = false;
      }
    }
  }

  private takeOver(model: string, epoch: number, record: SharedRecord<StreamBody> | undefined): void {
    if (record && record.epoch > epoch) {
      // stored by an owner with a newer claim than ours: we are the deposed one (or the topic's partitions changed)
      this.o.logger.log('error', 'ownership_fenced', { model, epoch, stored_epoch: record.epoch });
      return;
    }
    const body = record?.body;
    this.o.evaluator.adoptJudgeState(model, body?.judge);
    this.dispatch.book.replaceModel(model, body?.alerts ?? [], body ? body.incidents : { open: [], seqs: {} });
    this.o.outbox?.adoptModel(model, body?.outbox ?? EMPTY_OUTBOX);
    this.held.set(model, { epoch, seq: record && record.epoch === epoch ? record.version % SEQ_SPAN : 0 });
    this.written.set(model, JSON.stringify(this.body(model)));
    this.o.logger.log('info', 'model_taken_over', { model, epoch, previous_epoch: record?.epoch ?? null, judged_through: body?.judge?.through ?? null, pending_deliveries: body?.outbox.pending.length ?? 0 });
  }

  private release(model: string, reason: string): void {
    this.o.evaluator.forgetModel(model);
    this.o.outbox?.releaseModel(model);
    this.held.delete(model);
    this.unsaved.delete(model);
    this.written.delete(model);
    this.o.logger.log('info', 'model_released', { model, reason });
  }

  private body(model: string): StreamBody {
    const judge = this.o.evaluator.judgeStateOf(model);
    return { ...(judge ? { judge } : {}), alerts: this.dispatch.book.alertsOf(model), incidents: this.dispatch.book.incidentsOf(model), outbox: this.o.outbox?.exportModel(model) ?? EMPTY_OUTBOX };
  }

  /**
   * Stores the state of every held model that changed, in one insert, versioned above everything before it in this
   * term. A model whose stored state carries a newer epoch was taken by another replica: it is let go, not written.
   */
  async saveChanged(models: readonly string[] = [...this.held.keys()]): Promise<void> {
    const changed = models.flatMap((model) => {
      if (!this.owns(model)) return [];
      const json = JSON.stringify(this.body(model));
      return json === this.written.get(model) ? [] : [{ model, json }];
    });
    if (changed.length === 0) return;
    try {
      const writable = new Set(await this.unfenced(changed.map((c) => c.model)));
      const records = changed.filter((c) => writable.has(c.model)).map(({ model, json }) => {
        const h = this.held.get(model)!;
        h.seq += 1;
        return { kind: 'stream' as const, key: model, version: streamVersion(h.epoch, h.seq), epoch: h.epoch, body: JSON.parse(json) as StreamBody, json };
      });
      await this.o.shared.write(records);
      for (const r of records) {
        this.written.set(r.key, r.json);
        this.unsaved.delete(r.key);
      }
    } catch (error) {
      for (const c of changed) this.unsaved.add(c.model);
      throw error;
    }
  }

  /** Acknowledgements made on other replicas for alerts of models owned here: recorded and sent by this owner. */
  private async applyAcknowledgements(): Promise<void> {
    const waiting = await this.o.shared.read<AckBody>('ack', undefined, true);
    for (const r of waiting) {
      const alert = this.dispatch.book.get(r.body.alertId);
      if (!alert || !this.owns(alert.model)) continue;
      const seq = Number(r.key.slice(r.key.lastIndexOf(':') + 1));
      try {
        // only the acknowledgement of the transition it was made against: a later one (resolved) makes it moot
        if (alert.last.seq + 1 === seq) await this.dispatch.acknowledge(alert.alertId, r.body.by, r.body.at);
      } catch (error) {
        this.o.logger.log('warn', 'acknowledgement_not_applied', { alert: alert.alertId, error: (error as Error).message });
      }
      await this.o.shared.write([{ ...r, version: r.version + 1, deleted: true }]);
    }
  }

  /** Lets every model go (stopping: the state is stored first, so the next owner starts from it at once). */
  async releaseAll(): Promise<void> {
    await this.writes;
    await this.saveChanged().catch((error: Error) => this.o.logger.log('warn', 'shared_state_not_written', { kind: 'stream', error: error.message }));
    for (const model of [...this.held.keys()]) this.release(model, 'stopping');
  }
}
