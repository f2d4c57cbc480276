// bench:estimate — estimation accuracy on a seeded suite: CBPE's bias, mean absolute error and interval coverage per
// metric under covariate shift (where it must hold) and concept drift (where it must not), against the naive
// estimate a user would otherwise carry forward (the reference's realized quality), same worlds, same run; and the
// multivariate detector's flag rate on training-distribution samples and on a correlation change. Prints one JSON object.
//   npm run bench:estimate [-- --runs 200]
import { parseArgs } from 'node:util';
import { fitMultivariate, multivariateDriftOf } from '../src/estimate/index.js';
import { cbpeSuite, simulateCbpe } from '../src/estimate/simulate.js';
import { SeededRandom } from '../src/stats/index.js';

const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const runs = Number(values.runs ?? 200);

/** Three features: a and b correlated with ρ (N(0,1) marginals whatever ρ), c independent. */
function sample(rng: SeededRandom, rows: number, rho: number): Float64Array[] {
  const cols = [new Float64Array(rows), new Float64Array(rows), new Float64Array(rows)];
  for (let i = 0; i < rows; i++) {
    const a = rng.normal();
    cols[0][i] = a;
    cols[1][i] = rho * a + Math.sqrt(1 - rho * rho) * rng.normal();
    cols[2][i] = rng.normal();
  }
  return cols;
}

function multivariate(rows: number, windows: number) {
  const rng = new SeededRandom(99);
  const names = ['a', 'b', 'c'];
  const baseline = fitMultivariate(names, sample(rng, 20_000, 0.9));
  const rate = (rho: number) => {
    let flagged = 0;
    for (let w = 0; w < windows; w++) {
      const cols = sample(rng, rows, rho);
      if (multivariateDriftOf(baseline, (n) => cols[names.indexOf(n)]).drift) flagged++;
    }
    return flagged / windows;
  };
  return { window_rows: rows, windows, flagged_same_distribution: rate(0.9), flagged_rho_0_6: rate(0.6), flagged_rho_0: rate(0) };
}

/** The reference's own realized accuracy carried forward as the "estimate" (what a dashboard shows without CBPE). */
function naive(world: { referenceRows: number; currentRows: number; shift: number; conceptDrift?: boolean }) {
  let bias = 0;
  let mae = 0;
  for (let r = 0; r < runs; r++) {
    const reference = simulateCbpe({ ...world, shift: 0, conceptDrift: false, seed: 10_000 + r }).realized.accuracy;
    const current = simulateCbpe({ ...world, seed: 1 + r }).realized.accuracy;
    bias += (reference - current) / runs;
    mae += Math.abs(reference - current) / runs;
  }
  return { accuracy_bias: bias, accuracy_mae: mae };
}

const began = performance.now();
const worlds = {
  covariate_shift_0_5: { referenceRows: 5000, currentRows: 1000, shift: 0.5 },
  covariate_shift_1_0: { referenceRows: 5000, currentRows: 1000, shift: 1.0 },
  small_window: { referenceRows: 5000, currentRows: 200, shift: 0.5 },
  concept_drift: { referenceRows: 5000, currentRows: 1000, shift: 0, conceptDrift: true },
};
const cbpe = Object.fromEntries(Object.entries(worlds).map(([name, w]) => [name, { cbpe: cbpeSuite(w, runs).metrics, reference_quality_carried_forward: naive(w) }]));
console.log(JSON.stringify({ bench: 'estimate', runs, cbpe, multivariate: { small: multivariate(500, 200), large: multivariate(5000, 100) }, seconds: (performance.now() - began) / 1000 }, null, 1));
