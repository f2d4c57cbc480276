// What each live segment is compared with (issue 17): its own baseline profile when the baseline has one, the model's
// otherwise; __other__ only while no profiled value is mixed into the window's rest.
import { describe, expect, it } from 'vitest';
import { buildBaseline, SEGMENT_OTHER, type Table } from '../../../src/baseline/index.js';
import { planFromBaseline } from '../../../src/evaluate/index.js';
import { segmentModelReference, segmentReference } from '../../../src/evaluate/segment-reference.js';
import { segmentsOf, type SegmentSpec } from '../../../src/evaluate/segments.js';
import { SeededRandom } from '../../../src/replay/index.js';

function table(): Table {
  const rng = new SeededRandom(4);
  const country = [...Array(600).fill('US'), ...Array(400).fill('DE'), ...Array(100).fill('FR'), ...Array(300).fill('ES')] as string[];
  return {
    source: 'mem', rows: country.length,
    columns: new Map([
      ['country', { kind: 'categorical' as const, values: country }],
      ['amount', { kind: 'numeric' as const, values: Float64Array.from(country, (c) => rng.normal() + (c === 'DE' ? 1 : 0)) }],
    ]),
  };
}

// US, DE profiled (top 2 with ≥ 300 rows); FR and ES (400 rows) are the rest
const profile = buildBaseline(table(), { model: 'm', createdAt: 0, segments: { columns: ['country'], top: 2, minRows: 300 } });
const plan = planFromBaseline(profile);
const spec = (values: string[]): SegmentSpec => ({ dimensions: [{ feature: 'country', values, offset: 0 }], count: values.length + 1 });
const kinds = (s: SegmentSpec) => Object.fromEntries(segmentsOf(s).map((x) => [x.value, segmentReference(profile, plan, x, s).reference]));

describe('segment references', () => {
  it('a profiled value uses its profile, another value the model; __other__ its profile only when every profiled value is in the top', () => {
    expect(Object.keys(profile.segments!.country.values)).toEqual(['US', 'DE', SEGMENT_OTHER]);
    expect(kinds(spec(['US', 'DE', 'JP']))).toEqual({ US: 'segment', DE: 'segment', JP: 'model', [SEGMENT_OTHER]: 'segment' });
    // DE outside the window's top: its rows are in the window's rest, unlike the baseline's rest
    expect(kinds(spec(['US', 'FR']))).toEqual({ US: 'segment', FR: 'model', [SEGMENT_OTHER]: 'model' });
  });

  it("uses the segment's bins and rows, and the model's for a baseline without segments", () => {
    const s = spec(['US', 'DE']);
    const de = segmentsOf(s).find((x) => x.value === 'DE')!;
    const ref = segmentReference(profile, plan, de, s);
    expect(ref.plan.baselineRows).toBe(400);
    expect(ref.plan.numeric[0].reference.psi.reduce((a, b) => a + b, 0)).toBe(400);
    expect(segmentModelReference(profile, de)!.rows).toBe(400);
    const plain = buildBaseline(table(), { model: 'm', createdAt: 0 });
    expect(segmentReference(plain, planFromBaseline(plain), de, s)).toMatchObject({ reference: 'model', profile: null });
    expect(segmentModelReference(plain, de)).toBeUndefined();
  });
});
