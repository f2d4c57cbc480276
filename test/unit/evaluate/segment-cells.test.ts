// Segments with profiles of their own, each on its own splits (plan.ts segmentCellPlans, segment-reference.ts
// segmentCellReferences): the query's count for a value (the model's splits ≤ x in its cell, then its segment's own
// extra splits there) is the value's slot in its segment's plan; that slot maps into the model's slot of the value;
// and each segment's bins are exactly its own profile's.
import { describe, expect, it } from 'vitest';
import { buildBaseline, segmentBaseline, type NumericProfile, type Table } from '../../../src/baseline/index.js';
import { FLAT_KEYS, gridCell, keyLayout, keySpace, planFromBaseline, slotOf, slotsPerCell, type NumericPlan } from '../../../src/evaluate/index.js';
import { segmentCellReferences, segmentReference } from '../../../src/evaluate/segment-reference.js';
import { segmentsOf, type SegmentSpec } from '../../../src/evaluate/segments.js';
import { SeededRandom } from '../../../src/replay/index.js';

const VERSIONS = ['a', 'b', 'c', 'd', 'e', 'f'];

function table(): Table {
  const rng = new SeededRandom(11);
  const version = Array.from({ length: 6000 }, (_, i) => VERSIONS[i % VERSIONS.length]);
  // each version its own location and spread, so its deciles and range ends differ from the model's
  return {
    source: 'mem', rows: version.length,
    columns: new Map([
      ['version', { kind: 'categorical' as const, values: version }],
      ['x', { kind: 'numeric' as const, values: Float64Array.from(version, (v, i) => (i % 7 === 0 ? 3 : rng.normal() * (1 + VERSIONS.indexOf(v) / 3) + VERSIONS.indexOf(v))) }],
      ['y', { kind: 'numeric' as const, values: Float64Array.from(version, () => rng.next() * 50) }],
    ]),
  };
}

const profile = buildBaseline(table(), { model: 'm', createdAt: 0, segments: { columns: ['version'], top: 6, minRows: 100 } });
const spec: SegmentSpec = { dimensions: [{ feature: 'version', values: ['a', 'b', 'c', 'd', 'e'], offset: 0 }], count: 6 };
const refs = segmentCellReferences(profile, spec)!;

/** What the numeric query counts for x in segment `seg`: the model's splits ≤ x in its cell plus the segment's extras there (sql.ts keyOf). */
function queryCount(model: NumericPlan, k: number, seg: number, x: number): number {
  const cell = gridCell(model.grid, x);
  let count = slotOf(model, x);
  for (const level of refs.extra[k]) {
    const at = level.keys.indexOf(seg * model.grid.cells + cell);
    if (at >= 0 && x >= level.thresholds[at]) count++;
  }
  return count;
}

describe('segments on their own splits', () => {
  it('gives every profiled segment its own plan, fitting one flat table, with fewer slots per cell than the shared grid', () => {
    // the window's rest holds f, profiled but not in the window's top: compared with the model (segment-reference.ts)
    expect(refs.references.map((r) => r.reference)).toEqual(['model', 'segment', 'segment', 'segment', 'segment', 'segment']);
    expect(spec.count * keySpace(keyLayout(refs.plan.numeric))).toBeLessThanOrEqual(FLAT_KEYS);
    const shared = planFromBaseline(profile);
    for (const [k, p] of refs.plan.numeric.entries()) expect(slotsPerCell(p)).toBeLessThan(slotsPerCell(shared.numeric[k]));
    // the model's plan without the segments' splits: the whole window's bins are the model's
    expect(refs.plan.numeric.map((p) => p.edges)).toEqual(planFromBaseline(profile, { segmentSplits: false }).numeric.map((p) => p.edges));
  });

  it('keeps the plans of the last few segmentations of a profile, not every one a long run sees', () => {
    expect(segmentCellReferences(profile, spec)).toBe(refs);
    // the window's top values in other orders: other segment ids, other plans
    const orders = [['b', 'a', 'c', 'd', 'e'], ['c', 'a', 'b', 'd', 'e'], ['d', 'a', 'b', 'c', 'e'], ['e', 'a', 'b', 'c', 'd']];
    for (const values of orders) expect(segmentCellReferences(profile, { dimensions: [{ feature: 'version', values, offset: 0 }], count: 6 })).not.toBe(refs);
    const again = segmentCellReferences(profile, spec)!;
    expect(again).not.toBe(refs);
    expect(again.plan).toEqual(refs.plan);
  });

  it("counts a value into its segment's slot, and that slot into the model's slot of the value", () => {
    const rng = new SeededRandom(5);
    const layout = keyLayout(refs.plan.numeric);
    let checked = 0;
    for (const s of segmentsOf(spec)) {
      const own = refs.references[s.id].plan;
      refs.plan.numeric.forEach((model, k) => {
        const mine = own.numeric[k];
        // values across the range, beyond it, and on every split (a split is ≥ itself)
        const xs = [...Array.from({ length: 400 }, () => rng.normal() * 4 + 2), -1e9, 1e9, ...mine.thresholds.flat().filter((x) => x !== Infinity)];
        for (const x of xs) {
          expect(queryCount(model, k, s.id, x)).toBe(slotOf(mine, x));
          const [row] = refs.toModel([{ seg: s.id, key: layout.bases[k] + slotOf(mine, x) }]);
          expect(row.key).toBe(layout.bases[k] + slotOf(model, x));
          checked++;
        }
      });
    }
    expect(checked).toBeGreaterThan(4000);
  });

  it("bins each segment exactly as its own profile (PSI edges and counts), as the shared grid does", () => {
    const shared = planFromBaseline(profile);
    for (const s of segmentsOf(spec).filter((x) => refs.references[x.id].reference === 'segment')) {
      const own = segmentBaseline(profile, s.feature, s.value)!;
      const mine = refs.references[s.id].plan;
      const before = segmentReference(profile, shared, s, spec).plan;
      for (const [k, p] of mine.numeric.entries()) {
        const f = own.features[p.name] as NumericProfile;
        expect(p.edges).toEqual(f.psi.edges);
        expect(p.reference.psi).toEqual(f.psi.counts);
        // the slots refine the bins: each slot's baseline rows add up to its bin's
        const perBin = new Array<number>(p.edges.length + 1).fill(0);
        p.reference.fine.forEach((c, slot) => (perBin[p.slotBin[slot]] += c));
        expect(perBin).toEqual(f.psi.counts);
        expect(p.distance).toEqual(before.numeric[k].distance);
      }
    }
  });
});
