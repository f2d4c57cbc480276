// A seeded model-monitoring world for checking CBPE (tests and bench:estimate): a binary model whose scores are
// over-confident but ordered right, a labelled reference, and a current sample under covariate shift (P(y | x)
// unchanged, where CBPE must hold) or concept drift (P(y | x) changed, where it must not be trusted).
import { binaryQuality, fitCalibration, scoreHistogram, SeededRandom } from '../stats/index.js';
import { estimatePerformance, ESTIMATED_METRICS, type PerformanceEstimate, type QualityName } from './cbpe.js';

export interface World {
  seed: number;
  referenceRows: number;
  currentRows: number;
  /** mean of the current sample's feature (the reference's is 0) */
  shift: number;
  /** the current labels follow a flatter P(y | x) than the reference's */
  conceptDrift?: boolean;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export interface SimulatedCheck {
  estimate: PerformanceEstimate;
  realized: Record<QualityName, number>;
}

export function simulateCbpe(w: World): SimulatedCheck {
  const rng = new SeededRandom(w.seed);
  const sample = (rows: number, mean: number, slope: number) => {
    const labels: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < rows; i++) {
      const x = rng.normal(mean, 1);
      labels.push(rng.next() < sigmoid(slope * x - 0.3) ? 1 : 0);
      scores.push(sigmoid(3 * x - 0.6)); // twice as confident as the truth
    }
    return { labels, scores };
  };
  const reference = sample(w.referenceRows, 0, 1.5);
  const current = sample(w.currentRows, w.shift, w.conceptDrift ? 0.4 : 1.5);
  const calibration = fitCalibration(reference.labels, reference.scores);
  const estimate = estimatePerformance(calibration, scoreHistogram(calibration.edges, current.scores), { seed: w.seed });
  const q = binaryQuality(current.labels, current.scores, { threshold: calibration.threshold });
  return { estimate, realized: Object.fromEntries(ESTIMATED_METRICS.map((m) => [m, q[m]])) as Record<QualityName, number> };
}

export interface SuiteResult {
  runs: number;
  /** per metric: mean (estimate − realized), mean |estimate − realized|, share of runs whose realized value is in the interval, mean interval width */
  metrics: Record<QualityName, { bias: number; mae: number; coverage: number; width: number }>;
}

/** `runs` worlds with seeds seed, seed + 1, …; the estimate's bias and its interval's coverage per metric. */
export function cbpeSuite(world: Omit<World, 'seed'>, runs: number, seed = 1): SuiteResult {
  const acc = Object.fromEntries(ESTIMATED_METRICS.map((m) => [m, { bias: 0, mae: 0, coverage: 0, width: 0 }])) as SuiteResult['metrics'];
  for (let r = 0; r < runs; r++) {
    const { estimate, realized } = simulateCbpe({ ...world, seed: seed + r });
    for (const m of ESTIMATED_METRICS) {
      const error = estimate[m] - realized[m];
      const interval = estimate.interval[m];
      acc[m].bias += error / runs;
      acc[m].mae += Math.abs(error) / runs;
      if (interval && realized[m] >= interval[0] && realized[m] <= interval[1]) acc[m].coverage += 1 / runs;
      if (interval) acc[m].width += (interval[1] - interval[0]) / runs;
    }
  }
  return { runs, metrics: acc };
}
