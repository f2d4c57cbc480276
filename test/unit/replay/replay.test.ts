import { describe, expect, it } from 'vitest';
import type { Prediction } from '../../../src/domain/index.js';
import {
  DEFAULT_POLICY, Replay, WindowJudge, referenceFromRows, replayJsonLines, simulateStream, trainingRows,
  type ModelReference, type StreamResult, type WindowSummary,
} from '../../../src/replay/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 9, 1);
const SHIFT_AT = START + 2 * DAY + 2 * HOUR;

function reference(): ModelReference {
  return referenceFromRows('fraud', 'v7', trainingRows(11, 20_000));
}

async function run(predictions: Iterable<Prediction>, ref = reference()) {
  const windows: Array<{ w: WindowSummary; results: StreamResult[] }> = [];
  const replay = new Replay({ references: new Map([['fraud', ref]]), policy: { ...DEFAULT_POLICY, streams: 15 }, windowMs: HOUR, onWindow: (w, results) => windows.push({ w, results }) });
  for (const p of predictions) await replay.add(p);
  return { summary: await replay.finish(), windows };
}

describe('replay on seeded streams', () => {
  it('stays silent for four days of benign wobble', async () => {
    const { summary, windows } = await run(simulateStream({ model: 'fraud', seed: 3, start: START, hours: 96, drift: { kind: 'none' } }));
    expect(summary.events).toEqual([]);
    expect(summary.windows).toBe(96);
    // the naive rule would have paged: some night window has PSI > 0.1 on a feature
    expect(windows.some(({ results }) => results.some((r) => r.value > 0.1))).toBe(true);
  });

  it('pages on a 0.5σ shift that starts at 02:00, at a pinned window, and names the evidence', async () => {
    const { summary } = await run(simulateStream({ model: 'fraud', seed: 3, start: START, hours: 72, drift: { kind: 'mean_shift', sigmas: 0.5, start: SHIFT_AT } }));
    expect(summary.events.map((e) => [e.status, e.feature, (e.at - SHIFT_AT) / HOUR])).toEqual([['firing', 'amount', 6]]);
    const e = summary.events[0];
    expect(e).toMatchObject({ model: 'fraud', kind: 'feature_drift', statistic: 'psi', baselineVersion: 'v7', severity: 'warning' });
    expect(e.value).toBeGreaterThan(0.2);
    expect(e.evidence.logEvidence).toBeGreaterThanOrEqual(e.evidence.logThreshold);
    expect(e.evidence.logThreshold).toBeCloseTo(Math.log(15 * 30 * 24), 9);
    expect(e.reason).toMatch(/^PSI 0\.\d{3} over \d+ rows: evidence that PSI > 0\.1 reached .* ≥ 1\.08e\+4 \(1 false page per 30 days across all streams\)/);
  });

  it('resolves after the shift goes away', async () => {
    const end = SHIFT_AT + DAY;
    const stream = [...simulateStream({ model: 'fraud', seed: 5, start: START, hours: 120, drift: { kind: 'mean_shift', sigmas: 0.5, start: SHIFT_AT } })]
      .map((p) => (p.timestamp >= end ? { ...p, features: { ...p.features, amount: (p.features.amount as number) - 0.5 } } : p));
    const { summary } = await run(stream);
    expect(summary.events.map((e) => e.status)).toEqual(['firing', 'resolved']);
    expect(summary.events[1].at).toBeGreaterThan(end);
    expect(summary.events[1].at - end).toBeLessThan(12 * HOUR);
  });

  it('judges identically after its state goes through JSON', async () => {
    const windows: WindowSummary[] = [];
    const ref = reference();
    const collect = new Replay({ references: new Map([['fraud', ref]]), policy: DEFAULT_POLICY, windowMs: HOUR, onWindow: (w) => windows.push(w) });
    for (const p of simulateStream({ model: 'fraud', seed: 8, start: START, hours: 60, drift: { kind: 'mean_shift', sigmas: 0.5, start: SHIFT_AT } })) await collect.add(p);
    await collect.finish();
    const refs = new Map([['fraud', ref]]);
    const a = new WindowJudge(refs, DEFAULT_POLICY, HOUR);
    windows.slice(0, 30).forEach((w) => a.judge(w));
    const b = new WindowJudge(refs, DEFAULT_POLICY, HOUR).restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (const w of windows.slice(30)) expect(b.judge(w)).toEqual(a.judge(w));
  });

  it('watches accuracy when labels arrive, against the baseline accuracy', async () => {
    const ref: ModelReference = { ...reference(), accuracy: { value: 0.9, rows: 20_000 } };
    const preds = [...simulateStream({ model: 'fraud', seed: 9, start: START, hours: 48, drift: { kind: 'none' } })].map((p, i) => {
      const accuracy = p.timestamp >= START + DAY ? 0.75 : 0.9;
      const label = i % 2;
      const hit = ((i * 2654435761) % 1000) / 1000 < accuracy;
      return { ...p, prediction: hit === (label === 1) ? 0.9 : 0.1, label };
    });
    const { summary } = await run(preds, ref);
    const drop = summary.events.filter((e) => e.kind === 'metric_drop');
    expect(drop.map((e) => [e.status, e.feature, e.statistic])).toEqual([['firing', '__accuracy__', 'accuracy']]);
    expect(drop[0].at).toBeGreaterThan(START + DAY);
    expect(drop[0].severity).toBe('error');
  });

  it('reports a bad line with its number', async () => {
    await expect(replayJsonLines(['', '{"model": "fraud"}'], { references: new Map([['fraud', reference()]]), policy: DEFAULT_POLICY, windowMs: HOUR }))
      .rejects.toThrow(/^line 2: missing "/);
    await expect(replayJsonLines(['{nope'], { references: new Map([['fraud', reference()]]), policy: DEFAULT_POLICY, windowMs: HOUR }))
      .rejects.toThrow(/^line 1: not JSON/);
  });
});
