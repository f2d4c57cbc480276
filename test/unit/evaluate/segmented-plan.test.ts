// A window split into segments is counted on a grid whose slots fit one flat table for every segment (plan.ts
// segmentedPlan): the grid gets fewer cells, the splits stay, so the PSI and distance bins are exactly the
// full grid's; past the coarsest grid, the full one (hashed keys).
import { describe, expect, it } from 'vitest';
import { buildBaseline, type Column } from '../../../src/baseline/index.js';
import { FLAT_KEYS, GRID_CELLS, MIN_SEGMENT_GRID_CELLS, keyLayout, keySpace, planFromBaseline, segmentedPlan, slotOf, type WindowPlan } from '../../../src/evaluate/index.js';
import { SeededRandom } from '../../../src/stats/index.js';

const rng = new SeededRandom(17);
const columns = new Map<string, Column>();
for (let k = 0; k < 20; k++) columns.set(`f${k}`, { kind: 'numeric', values: Float64Array.from({ length: 5_000 }, () => (k % 2 ? rng.normal() * (k + 1) : k + 100 * rng.next())) });
const profile = buildBaseline({ source: 't', rows: 5_000, columns }, { model: 'm', createdAt: 0, version: 'v' });
const keys = (p: WindowPlan) => keySpace(keyLayout(p.numeric));
const sample = (name: string) => (columns.get(name) as { values: Float64Array }).values;

/** The baseline's sample counted per PSI bin and per distance bin through a plan's slots. */
function binned(p: WindowPlan['numeric'][number]) {
  const psi = new Array<number>(p.edges.length + 1).fill(0);
  const distance = new Array<number>(p.distance?.reference.length ?? 0).fill(0);
  for (const x of sample(p.name)) {
    const slot = slotOf(p, x);
    psi[p.slotBin[slot]] += 1;
    if (p.slotDistance) distance[p.slotDistance[slot]] += 1;
  }
  return { psi, distance };
}

describe('the plan of a segmented window', () => {
  const full = planFromBaseline(profile);

  it('keeps the full grid while the segments fit, and coarsens it until they do', () => {
    expect(segmentedPlan(profile, Math.floor(FLAT_KEYS / keys(full)), keys)).toBe(full);
    const eleven = segmentedPlan(profile, 11, keys);
    expect(eleven).not.toBe(full);
    expect(11 * keys(eleven)).toBeLessThanOrEqual(FLAT_KEYS);
    // the finest grid that fits: one step finer does not
    const target = [GRID_CELLS / 2, GRID_CELLS / 4, GRID_CELLS / 8].find((t) => planFromBaseline(profile, { gridCells: t }) === eleven)!;
    expect(target).toBeGreaterThanOrEqual(MIN_SEGMENT_GRID_CELLS);
    expect(11 * keys(planFromBaseline(profile, { gridCells: target * 2 }))).toBeGreaterThan(FLAT_KEYS);
    expect(Math.max(...eleven.numeric.map((p) => p.grid.cells))).toBeLessThan(Math.min(...full.numeric.map((p) => p.grid.cells)));
    // and the same plan for the same profile and grid (kept, not rebuilt per window)
    expect(segmentedPlan(profile, 11, keys)).toBe(eleven);
  });

  it('counts the same PSI and distance bins as the full grid, on both the baseline sample and the reference', () => {
    const coarse = segmentedPlan(profile, 11, keys);
    for (const [k, p] of coarse.numeric.entries()) {
      const q = full.numeric[k];
      expect(p.edges).toEqual(q.edges);
      expect(p.reference.psi).toEqual(q.reference.psi);
      expect(binned(p)).toEqual(binned(q));
      expect(binned(p).psi).toEqual(q.reference.psi);
      // the reference per slot adds up to the same bins
      const fromFine = new Array<number>(p.edges.length + 1).fill(0);
      p.reference.fine.forEach((c, slot) => (fromFine[p.slotBin[slot]] += c));
      expect(fromFine).toEqual(q.reference.psi);
    }
  });

  it('keeps the full grid when even the coarsest does not fit', () => {
    const coarsest = planFromBaseline(profile, { gridCells: MIN_SEGMENT_GRID_CELLS });
    const many = Math.floor(FLAT_KEYS / keys(coarsest)) + 1;
    expect(segmentedPlan(profile, many, keys)).toBe(full);
    expect(segmentedPlan(profile, many - 1, keys)).toBe(coarsest);
  });
});
