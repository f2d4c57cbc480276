import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/main.js';
import { referenceFromRows, simulateStream, trainingRows } from '../../../src/replay/index.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 9, 1);
const SHIFT_AT = START + 2 * 24 * HOUR + 2 * HOUR;
const dir = mkdtempSync(join(tmpdir(), 'dw-replay-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const baseline = join(dir, 'baseline.json');
const stream = join(dir, 'stream.jsonl');
writeFileSync(baseline, JSON.stringify(referenceFromRows('fraud', 'v7', trainingRows(11, 20_000))));
writeFileSync(stream, [...simulateStream({ model: 'fraud', seed: 3, start: START, hours: 72, drift: { kind: 'mean_shift', sigmas: 0.5, start: SHIFT_AT } })]
  .map((p) => JSON.stringify({ model: p.model, model_version: '1', prediction_id: p.predictionId, timestamp: new Date(p.timestamp).toISOString(), features: p.features, prediction: 0.5 }))
  .join('\n'));

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['replay', ...args], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
  return { code, out, err };
}

describe('driftwatch replay', () => {
  it('prints one JSON line per alert event, with the window end that decided it', async () => {
    const r = await cli(['--baseline', baseline, '--input', stream, '--window', '1h', '--json']);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const line = JSON.parse(r.out[0]);
    expect(Object.keys(line)).toEqual(['status', 'model', 'feature', 'at', 'statistic', 'value', 'reason']);
    expect(line).toMatchObject({ status: 'firing', model: 'fraud', feature: 'amount', at: new Date(SHIFT_AT + 6 * HOUR).toISOString(), statistic: 'psi' });
    expect(r.err.join('\n')).toMatch(/replayed \d+ messages in 72 windows of 1h: 1 alerts fired, 0 resolved; per-stream ARL0 4320 windows over 6 streams \(≤ 0\.033 false pages\/day overall\)/);
  });

  it('reads the baseline profile `driftwatch baseline build` writes, with the same result', async () => {
    const csv = join(dir, 'train.csv');
    const rows = trainingRows(11, 20_000).map((r) => `${r.features.amount},${r.features.score},${r.features.country}`);
    writeFileSync(csv, ['amount,score,country', ...rows].join('\n'));
    const profile = join(dir, 'profile.json');
    const built = await main(['baseline', 'build', '--input', csv, '--model', 'fraud', '--version', 'v7', '--out', profile], { out: () => undefined, err: () => undefined, env: {} });
    expect(built).toBe(0);
    const fromProfile = await cli(['--baseline', profile, '--input', stream, '--json']);
    const fromReference = await cli(['--baseline', baseline, '--input', stream, '--json']);
    expect(fromProfile.code).toBe(0);
    expect(fromProfile.out).toEqual(fromReference.out);
    expect(fromProfile.out).toHaveLength(1);
  });

  it('--labels: accuracy is judged once a window is labelled, from a labels file in any order', async () => {
    const withAccuracy = join(dir, 'baseline-accuracy.json');
    writeFileSync(withAccuracy, JSON.stringify({ ...referenceFromRows('fraud', 'v7', trainingRows(11, 20_000)), accuracy: { value: 0.9, rows: 20_000 } }));
    const predictions = [...simulateStream({ model: 'fraud', seed: 4, start: START, hours: 48, drift: { kind: 'none' }, peakPerHour: 300 })];
    const input = join(dir, 'unlabelled.jsonl');
    writeFileSync(input, predictions.map((p) => JSON.stringify({ model: p.model, prediction_id: p.predictionId, timestamp: p.timestamp, features: p.features, prediction: 0.9 })).join('\n'));
    // from hour 24 every prediction is wrong (label 0 for a 0.9 score); each label lands 12 h late, listed newest first
    const labels = predictions.map((p, i) => ({ model: 'fraud', prediction_id: p.predictionId, label: p.timestamp >= START + 24 * HOUR || i % 10 === 0 ? 0 : 1, timestamp: p.timestamp + 12 * HOUR })).reverse();
    const labelsFile = join(dir, 'labels.jsonl');
    writeFileSync(labelsFile, labels.map((l) => JSON.stringify(l)).join('\n'));
    const r = await cli(['--baseline', withAccuracy, '--input', input, '--labels', labelsFile, '--label-horizon', '2d', '--json']);
    expect(r.code).toBe(0);
    expect(r.out.map((l) => JSON.parse(l)).map((l) => [l.status, l.feature, l.at])).toEqual([['firing', '__accuracy__', new Date(START + 25 * HOUR).toISOString()]]);
    expect(r.err.join('\n')).toMatch(/quality of \d+ windows judged once labelled, 0 never labelled/);
    const bad = await cli(['--baseline', withAccuracy, '--input', input, '--label-coverage', '1.5']);
    expect(bad.code).not.toBe(0);
  });

  it('applies a policy file: a wider tolerance for amount means no page', async () => {
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'models:\n  fraud:\n    features:\n      amount: { psi: 0.5 }\n');
    const r = await cli(['--baseline', baseline, '--input', stream, '--policy', policy]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([]);
  });

  it('exits 2 with a one-line message on bad input', async () => {
    expect((await cli(['--input', stream])).code).toBe(2);
    const missing = await cli(['--baseline', join(dir, 'nope.json'), '--input', stream]);
    expect([missing.code, missing.err]).toEqual([2, [`driftwatch replay: cannot read baseline ${join(dir, 'nope.json')}: ENOENT`]]);
    const badWindow = await cli(['--baseline', baseline, '--input', stream, '--window', 'hourly']);
    expect(badWindow.code).toBe(2);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"model":"fraud","prediction_id":"1","timestamp":"2026-10-01T00:00:00Z","features":{}}\n{"model":"fraud"}\n');
    const r = await cli(['--baseline', baseline, '--input', bad]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/^driftwatch replay: line 2: missing "prediction_id"/);
  });
});
