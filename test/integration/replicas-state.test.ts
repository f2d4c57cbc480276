// The state replicas share in ClickHouse (wiring/replicas.ts), with ownership set by hand: a deposed owner's late
// write never wins, a new owner continues from the stored state, and silences, acknowledgements and API-declared
// models made on one replica reach the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertBook, AlertDispatch, ClickHouseAlertEventStore, Outbox, type AlertEvent, type AlertSink, type StreamDecision } from '../../src/alerting/index.js';
import type { Ownership, OwnershipView } from '../../src/coordination/ownership.js';
import { SharedState, streamVersion } from '../../src/coordination/shared-state.js';
import { Evaluator, ModelRegistry, declareModel, storedBaselines } from '../../src/evaluate/index.js';
import type { Store } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/log.js';
import { Replicas, type StreamBody } from '../../src/wiring/replicas.js';
import { freshStore } from '../support/services.js';

/** Ownership as a test sets it: model → epoch. */
class HandOwnership implements Ownership {
  readonly epochs = new Map<string, number>();
  epochOf(model: string): number | null {
    return this.epochs.get(model) ?? null;
  }
  view(): OwnershipView {
    return { mode: 'kafka', member: 'test', joined: true, partitions: [], partitionCount: 1 };
  }
  onChange(): void {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

/** A sink that records what it sent. */
class RecordingSink implements AlertSink {
  readonly name = 'rec';
  readonly sent: string[] = [];
  wants(): boolean {
    return true;
  }
  async send(_e: AlertEvent, attempt: { id: string }) {
    this.sent.push(attempt.id);
    return { outcome: 'delivered' as const };
  }
}

const decision = (model: string, feature: string, outcome: 'raised' | 'resolved', end: number): StreamDecision => ({
  model, feature, kind: 'feature_drift', outcome, statistic: 'psi', value: 0.4, reason: 'test', severity: 'warning',
  window: { start: end - 60_000, end }, baselineVersion: 'v1',
  evidence: { logEvidence: 10, logThreshold: 9, tolerance: 0.1, windows: 3, rows: 100, baselineRows: 1000 },
});

describe('state shared by replicas', () => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore('shared');
  });
  afterAll(async () => store.close());

  /** One replica's pieces, on the shared store. */
  const replica = () => {
    const ownership = new HandOwnership();
    const models = new ModelRegistry([declareModel('m')]);
    const sink = new RecordingSink();
    const outbox = new Outbox({ dir: null, sinks: [sink] });
    const self = {} as { r: Replicas };
    const dispatch = new AlertDispatch({
      book: new AlertBook({ silenceId: () => `silence-${Date.now()}${Math.floor(Math.random() * 1e4)}` }), events: new ClickHouseAlertEventStore(store), outbox,
      owns: (m) => self.r.owns(m), sendable: (m) => self.r.sendable(m), forward: { acknowledge: (e) => self.r.forwardAcknowledge(e) },
    });
    const evaluator = new Evaluator({ store, models, baselines: storedBaselines(store), owns: (m) => self.r.owns(m) });
    const r = new Replicas({ ownership, shared: new SharedState(store), evaluator, dispatch, outbox, models, fromFile: new Set(), logger: silentLogger });
    self.r = r;
    const tick = () => r.serial(async () => {
      await r.sync();
      await dispatch.tick(Date.now());
      await r.saveChanged();
    });
    const decide = (d: StreamDecision[]) => r.decide(d, (owned) => dispatch.decide(owned, Date.now()));
    return { ownership, models, sink, dispatch, replicas: r, tick, decide };
  };
  const stored = async () => (await new SharedState(store).read<StreamBody>('stream', ['m']))[0];

  it('a new owner continues from the stored state and resends nothing delivered; a deposed owner\'s late write never wins', async () => {
    const a = replica();
    const b = replica();
    a.ownership.epochs.set('m', 5);
    await a.tick();
    expect(a.replicas.owned()).toEqual(['m']);
    await a.decide([decision('m', 'x', 'raised', 60_000)]);
    await a.tick(); // delivers, stores the settlement
    expect(a.sink.sent).toEqual([expect.stringMatching(/:1:rec$/)]);

    // the coordinator moves m to b (epoch 9) before a notices: b takes over from what a stored
    b.ownership.epochs.set('m', 9);
    await b.tick();
    expect(b.dispatch.book.firing().map((x) => x.feature)).toEqual(['x']);
    expect(b.sink.sent).toEqual([]); // delivered by a: not sent again
    await b.decide([decision('m', 'x', 'resolved', 120_000)]);
    await b.tick();
    expect(b.sink.sent).toEqual([expect.stringMatching(/:2:rec$/)]);

    // a, deposed but unaware, decides on: its write is refused (the stored state has a newer epoch), and it lets go
    await a.decide([decision('m', 'y', 'raised', 180_000)]);
    expect(a.replicas.owned()).toEqual([]);
    await a.tick();
    expect(a.sink.sent).toHaveLength(1); // sent nothing more
    const after = await stored();
    expect(after.epoch).toBe(9);
    expect(after.body.alerts.map((x) => [x.feature, x.status])).toEqual([['x', 'resolved']]);
    // even a late row that got past the check loses to the newer epoch, whatever its own counter
    await new SharedState(store).write([{ kind: 'stream', key: 'm', version: streamVersion(5, 1_000), epoch: 5, body: { alerts: [], outbox: { pending: [], remembered: [], settled: [] } } }]);
    expect((await stored()).epoch).toBe(9);
    expect(Number((await store.query<{ n: string }>("SELECT count() AS n FROM alert_events WHERE model = 'm'"))[0].n)).toBe(2);
  });

  it('an owner killed after storing a transition but before saving its state: the new owner reaches it again, stored once', async () => {
    const a = replica();
    const b = replica();
    a.ownership.epochs.set('k', 3);
    await a.tick();
    await a.decide([decision('k', 'x', 'raised', 60_000)]);
    await a.tick(); // the firing state is saved
    // the transition reaches alert_events, and a dies before its state is saved (its dispatch alone, no save)
    await a.dispatch.decide([decision('k', 'x', 'resolved', 120_000)], Date.now());
    b.ownership.epochs.set('k', 4);
    await b.tick();
    expect(b.dispatch.book.firing().map((x) => x.feature)).toEqual(['x']); // from a's last saved state
    await b.decide([decision('k', 'x', 'resolved', 120_000)]); // the same window judged again
    await b.tick();
    const rows = await store.query<{ status: string; n: string }>("SELECT status, toString(count()) AS n FROM alert_events WHERE model = 'k' GROUP BY status ORDER BY status");
    expect(rows).toEqual([{ status: 'firing', n: '1' }, { status: 'resolved', n: '1' }]);
  });

  it('shares silences, acknowledgements and API-declared models between replicas', async () => {
    const owner = replica();
    const other = replica();
    owner.ownership.epochs.set('m', 20);
    await owner.tick();
    await other.tick();
    await owner.decide([decision('m', 'z', 'raised', 240_000)]);
    await owner.tick();
    await other.tick();
    // another replica shows the owner's alert (the API behind a load balancer) and takes an acknowledgement for it
    const alert = other.dispatch.book.firing().find((x) => x.feature === 'z')!;
    expect(alert).toBeDefined();
    const ack = await other.dispatch.acknowledge(alert.alertId, 'oncall', Date.now());
    expect(ack.status).toBe('acknowledged');
    await owner.tick(); // the owner records and sends it
    expect(owner.dispatch.book.get(alert.alertId)?.acknowledgedBy).toBe('oncall');
    expect(owner.sink.sent.at(-1)).toBe(`${alert.alertId}:2:rec`);
    expect(other.sink.sent).toEqual([]);

    const silence = other.dispatch.silence({ model: 'm', startsAt: Date.now(), endsAt: Date.now() + 60_000, by: 'oncall', comment: 'deploy' });
    expect(silence.id).toMatch(/^silence-[0-9]+$/);
    other.models.declare(declareModel('declared-here', { windowMs: 60_000 }));
    await other.tick();
    await owner.tick();
    expect(owner.dispatch.book.listSilences(Date.now()).map((s) => s.id)).toEqual([silence.id]);
    expect(owner.models.get('declared-here')?.windowMs).toBe(60_000);
    owner.dispatch.book.expireSilence(silence.id);
    await owner.tick();
    await other.tick();
    expect(other.dispatch.book.listSilences(Date.now())).toEqual([]);
  });
});
