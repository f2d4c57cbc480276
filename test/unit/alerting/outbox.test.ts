import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertBook, AlertDispatch, MemoryAlertEventStore, Outbox, type AlertEvent, type AlertSink, type SendResult } from '../../../src/alerting/index.js';
import { HOUR, T0, decision } from './decisions.js';

/** A sink that answers from a script and records what it was sent. */
class ScriptedSink implements AlertSink {
  sent: string[] = [];
  refreshed: AlertEvent[][] = [];
  constructor(readonly name: string, private script: SendResult['outcome'][] = []) {}
  wants(): boolean {
    return true;
  }
  async send(e: AlertEvent, a: { id: string }): Promise<SendResult> {
    this.sent.push(`${a.id}@${e.status}`);
    const outcome = this.script.shift() ?? 'delivered';
    return outcome === 'retry' ? { outcome, reason: 'down' } : outcome === 'rejected' ? { outcome, reason: 'bad' } : { outcome };
  }
  async refresh(firing: AlertEvent[]): Promise<void> {
    this.refreshed.push(firing);
  }
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dw-outbox-'));
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('durable outbox', () => {
  it('writes the transition to disk before any sink sees it, and resends after a restart', async () => {
    const dir = tempDir();
    const sink = new ScriptedSink('s');
    const outbox = new Outbox({ dir, sinks: [sink] });
    const e = new AlertBook().record(decision('raised', 1))!;
    outbox.enqueue(e, T0);
    expect(sink.sent).toEqual([]);
    expect(readFileSync(join(dir, 'outbox.jsonl'), 'utf8')).toContain(`"id":"${e.alertId}:1:s"`);
    outbox.close(); // crash before delivery
    appendFileSync(join(dir, 'outbox.jsonl'), '{"op":"settle","id":"tor'); // torn write at the crash
    const again = new Outbox({ dir, sinks: [sink] });
    expect(again.list().map((d) => d.id)).toEqual([`${e.alertId}:1:s`]);
    expect((await again.drain(T0 + 1)).delivered).toEqual([`${e.alertId}:1:s`]);
    again.close();
    expect(new Outbox({ dir, sinks: [sink] }).list()).toEqual([]);
  });

  it('backs off exponentially with jitter, capped, and gives up only after maxAge', async () => {
    const outbox = new Outbox({ dir: tempDir(), sinks: [new ScriptedSink('s', Array(40).fill('retry'))], random: () => 1 - 1e-12, retry: { baseDelayMs: 1000, maxDelayMs: 8000, maxAgeMs: HOUR } });
    expect([1, 2, 3, 4, 5, 6].map((n) => outbox.backoff(n))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    const half = new Outbox({ dir: tempDir(), sinks: [], random: () => 0, retry: { baseDelayMs: 1000 } });
    expect(half.backoff(3)).toBe(2000);
    outbox.enqueue(new AlertBook().record(decision('raised', 1))!, T0);
    let t = T0;
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await outbox.drain(t);
      waits.push(r.retrying[0].nextAttemptAt - t);
      t = r.retrying[0].nextAttemptAt;
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect((await outbox.drain(T0 + HOUR + 1)).expired).toHaveLength(1);
  });

  it('keeps transitions of one alert in order on a sink, and other alerts are not held up', async () => {
    const sink = new ScriptedSink('s', ['retry']);
    const outbox = new Outbox({ dir: tempDir(), sinks: [sink], random: () => 0 });
    const book = new AlertBook();
    const fired = book.record(decision('raised', 1))!;
    const resolved = book.record(decision('resolved', 2))!;
    const other = book.record(decision('raised', 2, { feature: 'country' }))!;
    for (const e of [fired, resolved, other]) outbox.enqueue(e, T0);
    await outbox.drain(T0);
    expect(sink.sent).toEqual([`${fired.alertId}:1:s@firing`, `${other.alertId}:1:s@firing`]);
    await outbox.drain(T0 + 60_000);
    expect(sink.sent.slice(2)).toEqual([`${fired.alertId}:1:s@firing`, `${fired.alertId}:2:s@resolved`]);
  });

  it('settles a rejected delivery without retrying, and drops silenced transitions', async () => {
    const sink = new ScriptedSink('s', ['rejected']);
    const outbox = new Outbox({ dir: tempDir(), sinks: [sink] });
    const book = new AlertBook();
    outbox.enqueue(book.record(decision('raised', 1))!, T0);
    expect((await outbox.drain(T0)).rejected).toHaveLength(1);
    expect((await outbox.drain(T0 + HOUR)).delivered).toEqual([]);
    book.silence({ model: 'fraud', startsAt: T0, endsAt: T0 + 9 * HOUR, by: 'me', comment: '' });
    expect(outbox.enqueue(book.record(decision('raised', 1, { feature: 'x' }))!, T0)).toEqual([]);
  });

  it('compacts its log and still remembers what sinks need', async () => {
    const dir = tempDir();
    const remembered: string[] = [];
    const sink = Object.assign(new ScriptedSink('s'), { remember: (e: AlertEvent) => remembered.push(`${e.model}@${e.at}`) });
    const outbox = new Outbox({ dir, sinks: [sink], compactAfter: 3 });
    const book = new AlertBook();
    for (let h = 1; h <= 4; h++) outbox.enqueue(book.record(decision('raised', h, { feature: `f${h}` }))!, T0);
    await outbox.drain(T0);
    outbox.close();
    expect(readFileSync(join(dir, 'outbox.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    new Outbox({ dir, sinks: [sink] }).close();
    expect(remembered).toEqual([`fraud@${T0 + 4 * HOUR}`]);
  });
});

describe('dispatch', () => {
  it('records transitions, stores them, delivers on tick and re-announces firing alerts', async () => {
    const sink = new ScriptedSink('s');
    const events = new MemoryAlertEventStore();
    const dispatch = new AlertDispatch({ book: new AlertBook(), events, outbox: new Outbox({ dir: tempDir(), sinks: [sink] }), refreshIntervalMs: 60_000 });
    const out = await dispatch.decide([decision('raised', 1), decision('raised', 1)], T0 + HOUR);
    expect(out.map((e) => e.status)).toEqual(['firing']);
    expect(events.events).toHaveLength(1);
    await dispatch.tick(T0 + HOUR);
    expect(sink.sent).toHaveLength(1);
    expect(sink.refreshed.map((f) => f.length)).toEqual([1]);
    await dispatch.tick(T0 + HOUR + 30_000);
    await dispatch.tick(T0 + HOUR + 60_000);
    expect(sink.refreshed).toHaveLength(2);
    const ack = await dispatch.acknowledge(out[0].alertId, 'sre', T0 + 2 * HOUR);
    expect(events.events.map((e) => e.status)).toEqual(['firing', 'acknowledged']);
    expect(ack.seq).toBe(2);
  });

  it('keeps transitions ClickHouse refused and stores them on a later tick', async () => {
    let down = true;
    const stored: AlertEvent[] = [];
    const dispatch = new AlertDispatch({
      book: new AlertBook(),
      events: { append: async (e) => { if (down) throw new Error('clickhouse down'); stored.push(...e); } },
      outbox: null,
    });
    await expect(dispatch.decide([decision('raised', 1)], T0)).rejects.toThrow(/clickhouse down/);
    expect(dispatch.pendingStore).toBe(1);
    down = false;
    await dispatch.tick(T0 + 1);
    expect(stored.map((e) => e.status)).toEqual(['firing']);
  });
});

describe('memory-only outbox (replicas)', () => {
  it('hands a model\'s pending and settled deliveries to its next owner, which sends only what is pending', async () => {
    const first = new ScriptedSink('s');
    const a = new Outbox({ dir: null, sinks: [first] });
    const book = new AlertBook();
    const fired = book.record(decision('raised', 1))!;
    const other = book.record(decision('raised', 1, { model: 'churn' }))!;
    a.enqueue(fired, T0);
    a.enqueue(other, T0);
    await a.drain(T0, (model) => model === 'fraud'); // churn held back (its state not stored yet)
    expect(first.sent).toEqual([`${fired.alertId}:1:s@firing`]);
    const resolved = book.record(decision('resolved', 2))!;
    a.enqueue(resolved, T0 + HOUR);
    const state = a.exportModel('fraud');
    expect(state.pending.map((d) => d.id)).toEqual([`${fired.alertId}:2:s`]);
    expect(state.settled).toEqual([`${fired.alertId}:1:s`]);
    a.releaseModel('fraud');
    expect(a.list().map((d) => d.event.model)).toEqual(['churn']);

    const second = new ScriptedSink('s');
    const b = new Outbox({ dir: null, sinks: [second] });
    b.adoptModel('fraud', JSON.parse(JSON.stringify(state)));
    expect(b.enqueue(fired, T0 + HOUR)).toEqual([]); // settled by the previous owner: never again
    await b.drain(T0 + HOUR);
    expect(second.sent).toEqual([`${fired.alertId}:2:s@resolved`]);
  });
});
