// `driftwatch drift --json`'s estimate parts: quality expected from a baseline's calibration for a current file
// without labels (and the realized quality beside it when the file has them), and its multivariate drift.
import type { BaselineProfile } from '../baseline/profile.js';
import type { Table } from '../baseline/table.js';
import { asBinary } from '../baseline/profile.js';
import { InputError } from '../domain/index.js';
import { binaryQuality, scoreHistogram } from '../stats/index.js';
import { estimatePerformance, ESTIMATED_METRICS, type QualityName } from './cbpe.js';
import { multivariateDriftOf } from './multivariate.js';

const JSON_NAMES: Record<QualityName, string> = { accuracy: 'accuracy', precision: 'precision', recall: 'recall', f1: 'f1', rocAuc: 'roc_auc' };
const finite = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(10)) : null);
const metrics = (q: Record<QualityName, number>) => Object.fromEntries(ESTIMATED_METRICS.map((m) => [JSON_NAMES[m], finite(q[m])]));

export const INTERVAL_METHOD = 'parametric bootstrap: per-bin calibrated probabilities redrawn from their reference rows, then Binomial labels per bin';

export interface OfflineEstimates {
  performance_estimate: Record<string, unknown> | null;
  multivariate: Record<string, unknown> | null;
  /** why a part is null */
  unavailable: Record<string, string>;
}

function performance(profile: BaselineProfile, current: Table): Record<string, unknown> {
  const calibration = profile.calibration;
  const column = profile.prediction?.column;
  if (!calibration || !column) throw new InputError('the baseline has no score calibration (build it with --prediction and --label on binary labels and scores in [0, 1])');
  const scores = current.columns.get(column);
  if (!scores || scores.kind !== 'numeric') throw new InputError(`the current file has no numeric prediction column "${column}"`);
  const counts = scoreHistogram(calibration.edges, scores.values);
  const rows = counts.reduce((a, b) => a + b, 0);
  if (rows === 0) throw new InputError(`the prediction column "${column}" has no values in the current file`);
  const e = estimatePerformance(calibration, counts);
  const interval: Record<string, unknown> = { level: e.interval.level, method: INTERVAL_METHOD, draws: e.interval.draws };
  for (const m of ESTIMATED_METRICS) interval[JSON_NAMES[m]] = e.interval[m]?.map((x) => finite(x)) ?? null;
  const out: Record<string, unknown> = {
    method: 'cbpe', threshold: calibration.threshold, rows, ...metrics(e), interval,
    calibration: { method: calibration.method, bins: calibration.probability.length, reference_rows: calibration.rows.reduce((a, b) => a + b, 0) },
  };
  // labels in the current file too: the realized quality beside the estimate, and how far off the estimate was
  const labelColumn = profile.label?.column;
  const labels = labelColumn ? current.columns.get(labelColumn) : undefined;
  const labels01 = labels ? asBinary(labels) : undefined;
  if (labels01) {
    const y: number[] = [];
    const s: number[] = [];
    labels01.forEach((l, i) => {
      if (l === null || Number.isNaN(scores.values[i])) return;
      y.push(l);
      s.push(scores.values[i]);
    });
    if (y.length > 0) {
      const q = binaryQuality(y, s, { threshold: calibration.threshold });
      out.realized = { rows: y.length, ...metrics(q) };
      out.estimation_error = Object.fromEntries(ESTIMATED_METRICS.map((m) => [JSON_NAMES[m], finite(e[m] - q[m])]));
    }
  }
  return out;
}

function multivariate(profile: BaselineProfile, current: Table): Record<string, unknown> {
  const baseline = profile.multivariate;
  if (!baseline) throw new InputError('the baseline has no PCA (it needs 2 numeric features with spread and 250 rows)');
  const m = multivariateDriftOf(baseline, (name) => {
    const c = current.columns.get(name);
    return c?.kind === 'numeric' ? c.values : undefined;
  });
  return {
    reconstruction_error: finite(m.reconstruction_error), baseline_mean: finite(m.baseline_mean), baseline_std: finite(m.baseline_std), drift: m.drift,
    rows: m.rows, features: m.features, components: m.components, explained_variance: finite(baseline.explained.reduce((a, b) => a + b, 0)),
  };
}

/** Both parts; a part the baseline or the file cannot support is null with its reason. */
export function offlineEstimates(profile: BaselineProfile | undefined, current: Table): OfflineEstimates {
  const unavailable: Record<string, string> = {};
  const attempt = (name: string, f: (p: BaselineProfile) => Record<string, unknown>) => {
    if (!profile) {
      unavailable[name] = 'needs a baseline.json reference';
      return null;
    }
    try {
      return f(profile);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      unavailable[name] = error.message;
      return null;
    }
  };
  return { performance_estimate: attempt('performance_estimate', (p) => performance(p, current)), multivariate: attempt('multivariate', (p) => multivariate(p, current)), unavailable };
}

const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '-');

/** The estimates for the text output of `driftwatch drift` (nothing for a data-file reference). */
export function estimateLines(e: OfflineEstimates): string[] {
  const out: string[] = [];
  const p = e.performance_estimate;
  if (p) {
    const interval = p.interval as Record<string, unknown>;
    const part = (m: string) => `${m} ${fmt(p[m])} [${((interval[m] as number[] | null) ?? []).map(fmt).join(', ')}]`;
    out.push(`estimated without labels (CBPE, ${p.rows} rows, 95 % interval): ${['accuracy', 'precision', 'recall', 'f1', 'roc_auc'].map(part).join(', ')}`);
    const realized = p.realized as Record<string, unknown> | undefined;
    if (realized) out.push(`realized (${realized.rows} labelled rows): accuracy ${fmt(realized.accuracy)}, f1 ${fmt(realized.f1)}`);
  }
  const m = e.multivariate;
  if (m) out.push(`multivariate (PCA reconstruction error): ${fmt(m.reconstruction_error)} vs baseline ${fmt(m.baseline_mean)} ± 3·${fmt(m.baseline_std)}: ${m.drift ? 'DRIFT' : 'ok'}`);
  for (const [part, why] of Object.entries(e.unavailable)) if (why !== 'needs a baseline.json reference') out.push(`${part}: not available (${why})`);
  return out;
}
