import { describe, expect, it } from 'vitest';
import { AlertBook, alertId } from '../../../src/alerting/index.js';
import { HOUR, T0, decision } from './decisions.js';

describe('alert lifecycle', () => {
  it('fires once, resolves once, with a stable id per (model, feature, kind)', () => {
    const book = new AlertBook();
    const fired = book.record(decision('raised', 5))!;
    expect(fired).toMatchObject({ status: 'firing', seq: 1, at: T0 + 5 * HOUR, startsAt: T0 + 5 * HOUR });
    expect(fired.alertId).toBe(alertId('fraud', 'amount', 'feature_drift'));
    expect(book.record(decision('raised', 6))).toBeNull();
    const resolved = book.record(decision('resolved', 9))!;
    expect(resolved).toMatchObject({ status: 'resolved', seq: 2, alertId: fired.alertId, startsAt: T0 + 5 * HOUR, at: T0 + 9 * HOUR });
    expect(book.record(decision('resolved', 10))).toBeNull();
    expect(book.record(decision('raised', 20))).toMatchObject({ seq: 3, alertId: fired.alertId });
  });

  it('gives different ids to different features, kinds and models', () => {
    const ids = new Set([
      alertId('fraud', 'amount', 'feature_drift'), alertId('fraud', 'amount', 'metric_drop'),
      alertId('fraud', 'country', 'feature_drift'), alertId('churn', 'amount', 'feature_drift'),
      alertId('fraud\u0000amount', '', 'feature_drift'),
    ]);
    expect(ids.size).toBe(5);
  });

  it('groups firing alerts per model', () => {
    const book = new AlertBook();
    book.record(decision('raised', 1));
    book.record(decision('raised', 1, { feature: 'country' }));
    book.record(decision('raised', 1, { model: 'churn' }));
    const groups = book.groups();
    expect(Object.keys(groups).sort()).toEqual(['churn', 'fraud']);
    expect(groups.fraud.map((a) => a.feature).sort()).toEqual(['amount', 'country']);
  });

  it('acknowledges a firing alert once and refuses the rest', () => {
    const book = new AlertBook();
    const fired = book.record(decision('raised', 1))!;
    const ack = book.acknowledge(fired.alertId, 'sre@example.com', T0 + 2 * HOUR);
    expect(ack).toMatchObject({ status: 'acknowledged', seq: 2, by: 'sre@example.com', startsAt: fired.startsAt });
    expect(() => book.acknowledge(fired.alertId, 'x', T0)).toThrow(/already acknowledged/);
    expect(() => book.acknowledge('dw-nope', 'x', T0)).toThrow(/no alert/);
    expect(book.record(decision('resolved', 3))).toMatchObject({ seq: 3, status: 'resolved' });
    expect(() => book.acknowledge(fired.alertId, 'x', T0)).toThrow(/not firing/);
  });

  it('marks transitions under a silence, per model or per feature, only while it lasts', () => {
    const book = new AlertBook();
    book.silence({ model: 'fraud', feature: 'amount', startsAt: T0, endsAt: T0 + 3 * HOUR, by: 'me', comment: 'planned backfill' });
    expect(book.record(decision('raised', 2))!.silenced).toBe(true);
    expect(book.record(decision('raised', 2, { feature: 'country' }))!.silenced).toBe(false);
    expect(book.record(decision('resolved', 4))!.silenced).toBe(false);
    const s = book.silence({ model: 'fraud', startsAt: T0, endsAt: T0 + 10 * HOUR, by: 'me', comment: '' });
    expect(book.isSilenced('fraud', 'anything', T0 + HOUR)).toBe(true);
    book.expireSilence(s.id);
    expect(book.isSilenced('fraud', 'anything', T0 + HOUR)).toBe(false);
    expect(() => book.silence({ model: 'fraud', startsAt: T0, endsAt: T0, by: 'me', comment: '' })).toThrow(/end after/);
  });

  it('restores from a snapshot and carries on', () => {
    const book = new AlertBook();
    book.record(decision('raised', 1));
    const copy = new AlertBook().restore(JSON.parse(JSON.stringify(book.snapshot())));
    expect(copy.firing()).toHaveLength(1);
    expect(copy.record(decision('resolved', 2))).toMatchObject({ seq: 2, status: 'resolved' });
  });
});
