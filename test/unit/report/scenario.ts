// A seeded model history for report tests: a baseline, hourly windows of predictions where "amount" shifts from
// window 8 on, the drift_results a live evaluator would write (real statistics from src/stats per window), accuracy
// with late labels, and the alert that fired. Rows are in the store's layout so they can go into a real ClickHouse.
import { buildBaseline, compareToReference, referenceFromBaseline, type BaselineProfile, type Table } from '../../../src/baseline/index.js';
import type { Prediction } from '../../../src/domain/index.js';
import { predictionRow, type PredictionRow } from '../../../src/ingest/rows.js';
import { SeededRandom } from '../../../src/stats/index.js';

export const MODEL = 'fraud';
export const START = Date.UTC(2026, 10, 20, 0);
export const HOUR = 3_600_000;
export const WINDOWS = 12;
export const SHIFT_FROM = 8;
const ROWS_PER_WINDOW = 300;
const COUNTRIES = ['DE', 'FR', 'US', 'IT', 'ES'];
const DEVICES = ['ios', 'android', 'web'];

type Row = { amount: number; age: number; score: number | null; country: string; device: string };

function draw(rng: SeededRandom, shifted: boolean): Row {
  return {
    amount: Math.round((100 + 20 * rng.normal() + (shifted ? 30 : 0)) * 100) / 100,
    age: 18 + rng.int(62),
    score: rng.next() < 0.03 ? null : Math.round(rng.next() * 1000) / 1000,
    country: COUNTRIES[Math.min(rng.int(7), 4)],
    device: DEVICES[rng.int(3)],
  };
}

function table(rows: Row[], source: string): Table {
  return {
    source,
    rows: rows.length,
    columns: new Map([
      ['amount', { kind: 'numeric', values: Float64Array.from(rows, (r) => r.amount) }],
      ['age', { kind: 'numeric', values: Float64Array.from(rows, (r) => r.age) }],
      ['score', { kind: 'numeric', values: Float64Array.from(rows, (r) => r.score ?? NaN) }],
      ['country', { kind: 'categorical', values: rows.map((r) => r.country) }],
      ['device', { kind: 'categorical', values: rows.map((r) => r.device) }],
    ]),
  };
}

export interface Scenario {
  baseline: BaselineProfile;
  predictions: PredictionRow[];
  driftResults: Record<string, unknown>[];
  alertEvents: Record<string, unknown>[];
}

export function scenario(seed = 7): Scenario {
  const rng = new SeededRandom(seed);
  const training = Array.from({ length: 4000 }, () => draw(rng, false));
  const baseline = buildBaseline(table(training, 'training.csv'), { model: MODEL, createdAt: START - 24 * HOUR, version: 'v1' });
  const reference = referenceFromBaseline(baseline, 'baseline v1');
  const predictions: PredictionRow[] = [];
  const driftResults: Record<string, unknown>[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const start = START + w * HOUR;
    const rows = Array.from({ length: ROWS_PER_WINDOW }, () => draw(rng, w >= SHIFT_FROM));
    rows.forEach((r, i) => {
      const p: Prediction = {
        model: MODEL,
        modelVersion: '3',
        predictionId: `p${w}-${i}`,
        timestamp: start + Math.floor((i * HOUR) / ROWS_PER_WINDOW),
        features: { ...r },
        prediction: 0.5,
        label: null,
        metadata: null,
      };
      predictions.push(predictionRow(p, start + HOUR));
    });
    const base = { model: MODEL, window_start: start / 1000, window_end: (start + HOUR) / 1000, baseline_version: 'v1', evaluated_at: (start + HOUR) / 1000 };
    for (const c of compareToReference(reference, table(rows, `window ${w}`))) {
      const phase = c.column === 'amount' && w >= SHIFT_FROM + 2 ? 'drifting' : 'watching';
      driftResults.push({ ...base, feature: c.column, n: c.nCurrent, statistic: 'psi', value: c.psi, p_value: null, details: JSON.stringify({ phase }) });
      const test = c.ks ? { statistic: 'ks', value: c.ks.statistic, p_value: c.ks.pValue } : { statistic: 'chi2', value: c.chi2!.statistic, p_value: c.chi2!.pValue };
      driftResults.push({ ...base, feature: c.column, n: c.nCurrent, ...test, details: '{}' });
      driftResults.push({ ...base, feature: c.column, n: c.nCurrent, statistic: 'js', value: c.jsDistance, p_value: null, details: '{}' });
    }
    // labels arrive late: the last windows are only partly labeled
    const labeled = Math.round(ROWS_PER_WINDOW * Math.min(1, (WINDOWS - w) / 4));
    const accuracy = w >= SHIFT_FROM ? 0.84 + 0.01 * (w % 2) : 0.91 + 0.005 * (w % 3);
    // the evaluator's window and quality rows (src/evaluate/results.ts)
    driftResults.push({ ...base, feature: '__window__', n: ROWS_PER_WINDOW, statistic: 'rows', value: ROWS_PER_WINDOW, p_value: null, details: '{}' });
    driftResults.push({ ...base, feature: '__quality__', n: labeled, statistic: 'accuracy', value: accuracy, p_value: null, details: JSON.stringify({ label_coverage: labeled / ROWS_PER_WINDOW }) });
    driftResults.push({ ...base, feature: '__quality__', n: labeled, statistic: 'f1', value: accuracy - 0.1, p_value: null, details: '{}' });
    driftResults.push({ ...base, feature: '__quality__', n: ROWS_PER_WINDOW, statistic: 'label_coverage', value: labeled / ROWS_PER_WINDOW, p_value: null, details: '{}' });
  }
  const firedAt = START + (SHIFT_FROM + 3) * HOUR;
  const alertEvents = [
    {
      at: firedAt / 1000,
      at_ms: firedAt,
      alert_id: 'fraud/amount/feature_drift',
      model: MODEL,
      feature: 'amount',
      kind: 'feature_drift',
      status: 'firing',
      statistic: 'psi',
      value: 0.62,
      reason: 'PSI 0.620 over 300 rows: evidence that PSI > 0.1 reached 2.1e+05 ≥ 1.1e+05 (1 false page per 30 days across all streams) after 3 windows; baseline 4000 rows',
      payload: '{}',
    },
  ];
  return { baseline, predictions, driftResults, alertEvents };
}
