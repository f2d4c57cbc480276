// Per-segment evaluation's pure parts: declaring segments, choosing a window's top values, the SQL that counts by
// segment, splitting the push-down rows, a segment's statistics, the stream names and the false-page budget.
import { describe, expect, it } from 'vitest';
import { buildBaseline, type Column } from '../../../src/baseline/index.js';
import { InputError } from '../../../src/domain/index.js';
import { categoryCountsSql, FLAT_KEYS, numericCountsSql, parseModelsYaml, planFromBaseline, qualitySql, readModel, writeModel } from '../../../src/evaluate/index.js';
import { qualityCounts, summedQuality } from '../../../src/evaluate/segment-quality.js';
import { estimateSql } from '../../../src/evaluate/estimate-sql.js';
import { typeMismatchSql } from '../../../src/evaluate/quality-sql.js';
import { segmentEvaluations, windowFeatures } from '../../../src/evaluate/segment-window.js';
import { segmentStreams } from '../../../src/evaluate/segment-streams.js';
import { bySegment, segmentColumn, segmentSelectionSql, segmentSpec, segmentsOf, wholeWindow, SEGMENT_OTHER } from '../../../src/evaluate/segments.js';
import { DEFAULT_POLICY, SeededRandom, WindowJudge, referenceFromProfile, segmentStream, streamSegment } from '../../../src/replay/index.js';
import { keyLayout, keySpace } from '../../../src/evaluate/sql.js';

const w = { model: 'shop', start: 0, end: 3_600_000 };

describe('segment declarations', () => {
  it('reads segments and segment_top, writes them back, refuses bad ones', () => {
    const [m] = parseModelsYaml('models:\n  - id: shop\n    segments: [country, model_version]\n    segment_top: 5\n');
    expect(m.segments).toEqual(['country', 'model_version']);
    expect(m.segmentTop).toBe(5);
    expect(readModel(writeModel(m))).toEqual(m);
    expect(parseModelsYaml('models:\n  - id: shop\n')[0]).not.toHaveProperty('segments');
    for (const [yaml, message] of [
      ['segments: country', /segments must be a list/],
      ['segments: [country, country]', /names a feature twice/],
      ['segments: [a, b, c, d, e]', /at most 4 segment features/],
      ['segment_top: 0', /segment_top must be a whole number/],
      ['segment_top: 2.5', /segment_top must be a whole number/],
      ['features: { amount: numeric }\n    segments: [amount]', /"amount" is declared numeric/],
    ] as const) {
      expect(() => parseModelsYaml(`models:\n  - id: shop\n    ${yaml}\n`), yaml).toThrow(InputError);
      expect(() => parseModelsYaml(`models:\n  - id: shop\n    ${yaml}\n`), yaml).toThrow(message);
    }
  });
});

describe('segment selection and SQL', () => {
  it('keeps the top N per segment feature by rows (ties by value), ids after each other with the rest first', () => {
    const spec = segmentSpec(['country', 'model_version'], [
      { dim: '0', value: 'FR', c: '5' }, { dim: '0', value: 'DE', c: '9' }, { dim: '0', value: 'AT', c: '5' }, { dim: '0', value: 'IT', c: '1' },
      { dim: '1', value: 'v2', c: '3' },
    ], 3);
    expect(spec.dimensions).toEqual([{ feature: 'country', values: ['DE', 'AT', 'FR'], offset: 0 }, { feature: 'model_version', values: ['v2'], offset: 4 }]);
    expect(spec.count).toBe(6);
    expect(segmentsOf(spec).map((s) => `${s.id}:${s.name}`)).toEqual(['0:country=__other__', '1:country=DE', '2:country=AT', '3:country=FR', '4:model_version=__other__', '5:model_version=v2']);
  });

  it('selects the top values per feature inside ClickHouse, model_version from its column, values quoted', () => {
    const sql = segmentSelectionSql({ ...w, model: "sh'op" }, ['country', 'model_version'], 7);
    expect(sql).toContain("cat_values[indexOf(cat_names, 'country')] AS value");
    expect(sql).toContain('model_version AS value');
    expect(sql.match(/ORDER BY c DESC, value LIMIT 7/g)).toHaveLength(2);
    expect(sql).toContain("model = 'sh\\'op'");
    const one = segmentColumn(segmentSpec(['country'], [{ dim: 0, value: "O'Hare", c: 2 }]));
    expect(one).toBe("transform(cat_values[indexOf(cat_names, 'country')], ['O\\'Hare'], CAST([1] AS Array(UInt16)), toUInt16(0)) AS seg");
    const two = segmentColumn(segmentSpec(['country', 'model_version'], [{ dim: 1, value: 'v1', c: 2 }]));
    expect(two).toBe("arrayJoin([toUInt16(0), transform(model_version, ['v1'], CAST([2] AS Array(UInt16)), toUInt16(1))]) AS seg");
  });

  it('adds the segment to every push-down query as a grouping key', () => {
    const rng = new SeededRandom(3);
    const n = 400;
    const columns = new Map<string, Column>([
      ['amount', { kind: 'numeric', values: Float64Array.from({ length: n }, () => rng.normal()) }],
      ['device', { kind: 'categorical', values: Array.from({ length: n }, (_, i) => (i % 3 ? 'ios' : 'web')) }],
    ]);
    const profile = buildBaseline({ source: 't', rows: n, columns }, { model: 'shop', createdAt: 0, version: 'v1' });
    const plan = planFromBaseline(profile);
    const seg = 'toUInt16(0) AS seg';
    // one packed key per (segment, key), split again over the grouped rows
    const space = keySpace(keyLayout(plan.numeric));
    // in a flat table (UInt16) while every segment's keys fit there, else hashed
    const packed = (type: string) => new RegExp(`^SELECT intDiv\\(packed, ${space}\\) AS seg, packed % ${space} AS key, c FROM[\\s\\S]*\\[to${type}\\(k0 \\+ s\\)\\] AS keys[\\s\\S]*to${type}\\(seg \\* ${space}\\) AS s[\\s\\S]*SELECT toUInt16\\(0\\) AS seg, [\\s\\S]*GROUP BY key\\n\\)$`);
    const fits = Math.floor(FLAT_KEYS / space);
    expect(numericCountsSql(w, plan.numeric, false, undefined, { column: seg, count: fits })).toMatch(packed('UInt16'));
    expect(numericCountsSql(w, plan.numeric, false, undefined, { column: seg, count: fits + 1 })).toMatch(packed('UInt32'));
    expect(numericCountsSql(w, plan.numeric, false)).not.toContain('seg');
    const cat = categoryCountsSql(w, plan.categorical, false, seg)!;
    expect(cat.match(/SELECT toUInt16\(0\) AS seg, /g)).toHaveLength(2);
    expect(cat).toContain('GROUP BY seg, name, value');
    expect(cat).toContain('GROUP BY seg');
    expect(typeMismatchSql(w, plan, false, seg)).toContain('GROUP BY seg, name');
    expect(estimateSql(w, { ...profile, calibration: null, multivariate: null }, false, undefined, seg)).toMatch(/GROUP BY seg, cell2\n {2}\)\n\) GROUP BY seg, bin$/);
    // the quality query: every branch (rows; labelled rows joined or by kind) by segment, one row per segment
    for (const joined of [true, false]) {
      const quality = qualitySql(w, joined, false, false, seg);
      expect(quality).toMatch(/^SELECT seg, \n/);
      expect(quality.match(/GROUP BY seg/g)).toHaveLength(joined ? 3 : 4);
      expect(quality.endsWith(') GROUP BY seg')).toBe(true);
      expect(quality.match(/toUInt16\(0\) AS seg/g)).toHaveLength(joined ? 2 : 3);
    }
    expect(qualitySql(w, true, false)).not.toContain('seg');
  });

  it('sums the quality rows of segments into the window', () => {
    const rows = [
      { seg: 0, rows: '10', labelled: '4', correct: '3', tp: '1', fp: '1', tn: '2', fn: '0', numeric_rows: '4', abs_error: 1.5, squared_error: 0.75, labels_at: 100, feature_names: ['a'] },
      { seg: 1, rows: '5', labelled: '5', correct: '1', tp: '0', fp: '2', tn: '1', fn: '2', numeric_rows: '5', abs_error: 2, squared_error: 1, labels_at: 200, feature_names: ['a', 'b'] },
    ];
    expect(qualityCounts(summedQuality(rows))).toEqual({ rows: 15, labelled: 9, correct: 4, tp: 1, fp: 3, tn: 3, fn: 2, numericRows: 9, absError: 3.5, squaredError: 1.75, labelsAt: 200_000 });
    expect(summedQuality(rows)!.feature_names).toEqual(['a', 'b']);
    expect(summedQuality([rows[1]])).toBe(rows[1]);
    expect(qualityCounts(summedQuality([]))).toMatchObject({ rows: 0, labelled: 0, labelsAt: 0 });
  });
});

describe('segment results', () => {
  const rng = new SeededRandom(5);
  const n = 1000;
  const columns = new Map<string, Column>([
    ['amount', { kind: 'numeric', values: Float64Array.from({ length: n }, () => rng.normal()) }],
    ['country', { kind: 'categorical', values: Array.from({ length: n }, (_, i) => ['DE', 'FR', 'IT'][i % 3]) }],
  ]);
  const profile = buildBaseline({ source: 't', rows: n, columns }, { model: 'shop', createdAt: 0, version: 'v1' });
  const plan = planFromBaseline(profile);
  const spec = segmentSpec(['country'], [{ dim: 0, value: 'DE', c: 3 }]);
  const keys = keyLayout(plan.numeric);
  // segment 1 (DE): three values in slot 10 and one missing; segment 0 (rest): two in slot 20
  const numeric = [{ seg: 1, key: keys.bases[0] + 10, c: 3 }, { seg: 1, key: keys.bases[0] + keys.slots[0], c: 1 }, { seg: 0, key: keys.bases[0] + 20, c: 2 }];
  const categories = [{ seg: 1, name: 'country', value: 'DE', c: 4 }, { seg: 0, name: 'country', value: 'FR', c: 2 }, { seg: 1, name: '', value: '', c: 4 }, { seg: 0, name: '', value: '', c: 2 }];

  it('are the same statistics over one segment\'s rows, without the segment feature; the whole window is their sum', () => {
    const segments = segmentEvaluations(spec, plan, { numeric, categories, mismatched: [], estimates: null }, null, 0);
    expect(segments.map((s) => [s.name, s.rows])).toEqual([[`country=${SEGMENT_OTHER}`, 2], ['country=DE', 4]]);
    const de = segments[1];
    const alone = windowFeatures(plan, { numeric: numeric.filter((r) => r.seg === 1), categories: categories.filter((r) => r.seg === 1), mismatched: [], estimates: null }, null);
    expect(de.features).toEqual(alone.features.filter((f) => f.feature !== 'country'));
    expect(de.features.find((f) => f.feature === 'amount')!.missingRate).toBe(0.25);
    const whole = windowFeatures(plan, { numeric: wholeWindow(numeric, spec), categories: wholeWindow(categories, spec), mismatched: [], estimates: null }, 6);
    expect(whole.features.find((f) => f.feature === 'amount')!.present).toBe(5);
    expect(whole.features.find((f) => f.feature === 'country')!.counts.counts).toEqual({ DE: 4, FR: 2 });
  });

  it('take the whole window from the first segment feature only when there are several', () => {
    const two = segmentSpec(['country', 'model_version'], [{ dim: 0, value: 'DE', c: 3 }, { dim: 1, value: 'v1', c: 3 }]);
    const rows = [{ seg: 0, c: 1 }, { seg: 1, c: 2 }, { seg: 2, c: 1 }, { seg: 3, c: 2 }];
    expect(wholeWindow(rows, two)).toEqual(rows.slice(0, 2));
    expect(wholeWindow(rows, spec)).toEqual(rows);
    expect([...bySegment(rows).keys()]).toEqual([0, 1, 2, 3]);
  });
});

describe('segment streams', () => {
  it('are named feature{segment} and read back', () => {
    expect(segmentStream('amount', 'country=DE')).toBe('amount{country=DE}');
    expect(streamSegment('amount{country=DE}')).toEqual({ feature: 'amount', segment: 'country=DE' });
    expect(streamSegment('amount')).toEqual({ feature: 'amount', segment: null });
    expect(streamSegment('odd{name}')).toEqual({ feature: 'odd{name}', segment: null });
  });

  it('split the false-page budget: every possible segment × input stream counts', () => {
    const rng = new SeededRandom(9);
    const columns = new Map<string, Column>([
      ['amount', { kind: 'numeric', values: Float64Array.from({ length: 500 }, () => rng.normal()) }],
      ['country', { kind: 'categorical', values: Array.from({ length: 500 }, (_, i) => (i % 2 ? 'DE' : 'FR')) }],
    ]);
    const ref = referenceFromProfile(buildBaseline({ source: 't', rows: 500, columns }, { model: 'shop', createdAt: 0, version: 'v1' }));
    const plain = new WindowJudge(new Map([['shop', ref]]), DEFAULT_POLICY, 3_600_000);
    const segments = segmentStreams({ segments: ['country'], segmentTop: 4 });
    expect(segments).toBe(5);
    const segmented = new WindowJudge(new Map([['shop', ref]]), DEFAULT_POLICY, 3_600_000, new Map([['shop', segments]]));
    // amount's PSI and out-of-range share, country's PSI and unseen share: 4 input streams, 5 segments each
    expect(plain.streams).toBe(4);
    expect(segmented.streams).toBe(4 + 5 * 4);
    expect(segmented.arl0 / plain.arl0).toBe(6);
  });
});
