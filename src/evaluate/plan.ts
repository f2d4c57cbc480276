// What a window is measured against, derived from a baseline profile: per numeric feature the PSI deciles split
// into finer equal-width sub-bins (the binned CDF for KS) with the baseline's counts in them; per categorical
// feature its category counts. ClickHouse counts the window into exactly these bins (sql.ts).
import type { BaselineProfile, FeatureProfile, NumericProfile } from '../baseline/index.js';
import { binIndex } from '../replay/index.js';
import { quantileSorted } from '../stats/index.js';

/** Sub-bins per PSI decile: the KS CDF is known at 10 × SUB_BINS points. */
export const SUB_BINS = 10;
/** Feature name of the prediction-drift stream. */
export const PREDICTION_FEATURE = '__prediction__';

export interface NumericPlan {
  kind: 'numeric';
  name: string;
  /** where values come from: a feature in num_names, or the prediction column */
  source: 'feature' | 'prediction';
  /** PSI edges (the baseline's deciles) */
  edges: number[];
  /** per PSI bin: lower end of its sub-bins and sub-bins per unit (0 when the bin has no width) */
  lo: number[];
  inv: number[];
  sub: number;
  reference: {
    psi: number[];
    missing: number;
    /** baseline counts per sub-bin (10 × sub) */
    fine: number[];
    /** extra KS error from a baseline kept as quantiles (0 when it kept the exact sample) */
    ksError: number;
  };
}

export interface CategoricalPlan {
  kind: 'categorical';
  name: string;
  source: 'feature' | 'prediction';
  reference: { counts: Record<string, number>; missing: number };
}

export type FeaturePlan = NumericPlan | CategoricalPlan;

export interface WindowPlan {
  model: string;
  baselineVersion: string;
  baselineRows: number;
  numeric: NumericPlan[];
  categorical: CategoricalPlan[];
}

/** Sub-bin of x: the PSI bin, then an equal-width split inside it (outer sub-bins are open-ended). Same arithmetic as the SQL. */
export function fineIndex(p: Pick<NumericPlan, 'edges' | 'lo' | 'inv' | 'sub'>, x: number): number {
  const d = binIndex(p.edges, x);
  const s = Math.min(p.sub - 1, Math.max(0, Math.floor((x - p.lo[d]) * p.inv[d])));
  return d * p.sub + s;
}

/** F(x) of a baseline kept as quantiles q_i at i/(Q−1), linear between them. */
function quantileCdf(q: readonly number[], x: number): number {
  if (x < q[0]) return 0;
  if (x >= q[q.length - 1]) return 1;
  let lo = 0;
  let hi = q.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (q[mid] <= x) lo = mid;
    else hi = mid;
  }
  const width = q[hi] - q[lo];
  return (lo + (width > 0 ? (x - q[lo]) / width : 0)) / (q.length - 1);
}

function numericPlan(name: string, f: NumericProfile, source: NumericPlan['source']): NumericPlan {
  const edges = [...f.psi.edges];
  const bins = edges.length + 1;
  const lo: number[] = [];
  const inv: number[] = [];
  // The outer bins are split between the 1st/99th percentile and their decile, not the extremes, so one far
  // outlier in the baseline cannot squeeze the whole tail into a single sub-bin (values beyond clamp into the end ones).
  const dist = f.distribution.values;
  const tail = (q: number) => (f.distribution.kind === 'exact' ? quantileSorted(dist, q) : dist[Math.round(q * (dist.length - 1))]);
  const low = Math.min(tail(0.01), edges[0] ?? f.max);
  const high = Math.max(tail(0.99), edges[edges.length - 1] ?? f.min);
  for (let d = 0; d < bins; d++) {
    const a = d === 0 ? low : edges[d - 1];
    const b = d === bins - 1 ? high : edges[d];
    lo.push(a);
    inv.push(b > a ? SUB_BINS / (b - a) : 0);
  }
  const plan: NumericPlan = { kind: 'numeric', name, source, edges, lo, inv, sub: SUB_BINS, reference: { psi: [...f.psi.counts], missing: f.missing, fine: [], ksError: 0 } };
  const fine = new Array<number>(bins * SUB_BINS).fill(0);
  if (f.distribution.kind === 'exact') {
    for (const x of f.distribution.values) fine[fineIndex(plan, x)] += 1;
  } else {
    // Spread each decile's exact count over its sub-bins by the quantile CDF, rounding cumulatively so totals stay exact.
    const q = f.distribution.values;
    for (let d = 0; d < bins; d++) {
      const bounds = [d === 0 ? -Infinity : edges[d - 1]];
      for (let j = 1; j < SUB_BINS; j++) bounds.push(inv[d] > 0 ? lo[d] + j / inv[d] : lo[d]);
      bounds.push(d === bins - 1 ? Infinity : edges[d]);
      const cdf = bounds.map((x) => (x === -Infinity ? 0 : x === Infinity ? 1 : quantileCdf(q, x)));
      const mass = cdf[SUB_BINS] - cdf[0];
      let placed = 0;
      for (let j = 0; j < SUB_BINS; j++) {
        const share = mass > 0 ? (cdf[j + 1] - cdf[0]) / mass : j === SUB_BINS - 1 ? 1 : 0;
        const upTo = Math.round(share * f.psi.counts[d]);
        fine[d * SUB_BINS + j] = upTo - placed;
        placed = upTo;
      }
    }
    plan.reference.ksError = f.distribution.ks_bound;
  }
  plan.reference.fine = fine;
  return plan;
}

function featurePlan(name: string, f: FeatureProfile, source: FeaturePlan['source']): FeaturePlan {
  return f.kind === 'numeric'
    ? numericPlan(name, f, source)
    : { kind: 'categorical', name, source, reference: { counts: { ...f.frequencies }, missing: f.missing } };
}

/** Every feature of the baseline plus the prediction (when the baseline profiled it). */
export function planFromBaseline(profile: BaselineProfile): WindowPlan {
  const plans = Object.entries(profile.features).map(([name, f]) => featurePlan(name, f, 'feature'));
  if (profile.prediction) plans.push(featurePlan(PREDICTION_FEATURE, profile.prediction, 'prediction'));
  return {
    model: profile.model,
    baselineVersion: profile.version,
    baselineRows: profile.rows,
    numeric: plans.filter((p): p is NumericPlan => p.kind === 'numeric'),
    categorical: plans.filter((p): p is CategoricalPlan => p.kind === 'categorical'),
  };
}
