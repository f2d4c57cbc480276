// Seeded synthetic prediction streams for backtests, the quality benchmark and demos: diurnal traffic
// (~30 rows/h at night to ~1 500 at the afternoon peak), a benign daily wobble far below tolerance, and
// optional injected drifts.
import type { Prediction } from '../domain/index.js';
import { SeededRandom } from './random.js';

export type InjectedDrift =
  | { kind: 'none' }
  /** amount's mean moves by `sigmas` standard deviations at `start` */
  | { kind: 'mean_shift'; sigmas: number; start: number }
  /** amount's standard deviation grows linearly from 1 to `toScale` over `overMs` from `start` */
  | { kind: 'scale_drift'; toScale: number; start: number; overMs: number }
  /** country takes a category never seen in training with probability `share` from `start` */
  | { kind: 'new_category'; category: string; share: number; start: number };

export interface SimulationOptions {
  model: string;
  seed: number;
  /** epoch ms of the first hour */
  start: number;
  hours: number;
  drift: InjectedDrift;
  minPerHour?: number;
  peakPerHour?: number;
}

const HOUR = 3_600_000;
const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'ES'];
const SHARES = [0.35, 0.25, 0.2, 0.12, 0.08];

/** Expected rows in the hour starting at `t`: lowest at 03:00 UTC, highest at 15:00. */
export function trafficPerHour(t: number, min = 30, peak = 1_500): number {
  const hourOfDay = (t % 86_400_000) / HOUR;
  return min + ((peak - min) * (1 - Math.cos((2 * Math.PI * (hourOfDay - 3)) / 24))) / 2;
}

/** One row as the model's training data had it: amount ~ N(0, 1), score ~ N(0, 1), country from fixed shares. */
function row(rnd: SeededRandom, amountMean: number, amountSd: number, countryShares: number[], extra: string | null, extraShare: number): Prediction['features'] {
  const country = extra !== null && rnd.next() < extraShare ? extra : COUNTRIES[rnd.pick(countryShares)];
  return { amount: rnd.normal(amountMean, amountSd), score: rnd.normal(), country };
}

/** The training rows the baseline is built from. */
export function trainingRows(seed: number, rows: number): Array<Pick<Prediction, 'features' | 'prediction' | 'label'>> {
  const rnd = new SeededRandom(seed);
  return Array.from({ length: rows }, () => ({ features: row(rnd, 0, 1, SHARES, null, 0), prediction: null, label: null }));
}

/** Predictions hour by hour, ordered by timestamp, with the wobble and the injected drift. */
export function* simulateStream(o: SimulationOptions): Generator<Prediction> {
  const rnd = new SeededRandom(o.seed);
  let id = 0;
  for (let h = 0; h < o.hours; h++) {
    const hourStart = o.start + h * HOUR;
    const n = rnd.poisson(trafficPerHour(hourStart, o.minPerHour, o.peakPerHour));
    const times = Array.from({ length: n }, () => hourStart + Math.floor(rnd.next() * HOUR)).sort((a, b) => a - b);
    const phase = (2 * Math.PI * ((hourStart % 86_400_000) / HOUR)) / 24;
    // benign wobble: amount's mean ±0.05 σ and DE/FR shares ±2 points over the day (PSI ~0.003)
    const wobbleMean = 0.05 * Math.sin(phase);
    const shares = [...SHARES];
    shares[0] += 0.02 * Math.sin(phase);
    shares[1] -= 0.02 * Math.sin(phase);
    for (const t of times) {
      let mean = wobbleMean;
      let sd = 1;
      let extra: string | null = null;
      let extraShare = 0;
      const d = o.drift;
      if (d.kind === 'mean_shift' && t >= d.start) mean += d.sigmas;
      if (d.kind === 'scale_drift' && t >= d.start) sd = 1 + (d.toScale - 1) * Math.min(1, (t - d.start) / d.overMs);
      if (d.kind === 'new_category' && t >= d.start) [extra, extraShare] = [d.category, d.share];
      yield {
        model: o.model,
        modelVersion: '1',
        predictionId: `${o.model}-${id++}`,
        timestamp: t,
        features: row(rnd, mean, sd, shares, extra, extraShare),
        prediction: null,
        label: null,
        metadata: null,
      };
    }
  }
}
