// The push-down SQL: names and values only as escaped literals, one ARRAY JOIN key per feature, FINAL reads; time slices.
import { describe, expect, it } from 'vitest';
import { buildBaseline, type Column } from '../../../src/baseline/index.js';
import { categoryCountsSql, labelArrivalsSql, numericCountsSql, planFromBaseline, qualitySql, timeSlices } from '../../../src/evaluate/index.js';
import { sqlFloat } from '../../../src/store/index.js';

const hostile = "x'); DROP TABLE predictions; --";

function plans() {
  const columns = new Map<string, Column>([
    [hostile, { kind: 'numeric', values: Float64Array.from({ length: 100 }, (_, i) => i) }],
    ['c\\at', { kind: 'categorical', values: Array.from({ length: 100 }, (_, i) => (i % 2 ? 'a' : "b'")) }],
  ]);
  return planFromBaseline(buildBaseline({ source: 't', rows: 100, columns }, { model: 'm', createdAt: 0, version: 'v' }));
}

describe('push-down SQL', () => {
  const w = { model: "mo'del", start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 0, 1, 1) };

  it('writes feature and model names only as escaped string literals', () => {
    const p = plans();
    const numeric = numericCountsSql(w, p.numeric);
    expect(numeric).toContain("indexOf(num_names, 'x\\'); DROP TABLE predictions; --')");
    expect(numeric).toContain("model = 'mo\\'del'");
    expect(numeric).not.toContain("x');");
    const categories = categoryCountsSql(w, p.categorical)!;
    expect(categories).toContain("has(['c\\\\at'], name)");
    // the window's rows counted by the same query as its categories (their missing share)
    expect(categories).toMatch(/UNION ALL\nSELECT '' AS name, '' AS value, count\(\) AS c FROM predictions FINAL WHERE model = 'mo\\'del'/);
    expect(qualitySql(w)).toContain("FROM labels FINAL WHERE model = 'mo\\'del'");
    expect(labelArrivalsSql("mo'del", 3_600_000, w.start, w.end)).toContain("model = 'mo\\'del'");
  });

  it('reads predictions with FINAL inside the window [start, end) in whole seconds', () => {
    const sql = numericCountsSql(w, plans().numeric);
    expect(sql).toContain(`FROM predictions FINAL WHERE model = 'mo\\'del' AND ts >= toDateTime(${w.start / 1000}) AND ts < toDateTime(${w.end / 1000})`);
    expect(sql).toMatch(/ARRAY JOIN keys AS key GROUP BY key$/);
    // one key per numeric feature, a missing key where the feature is absent
    expect(sql.match(/\) AS k\d+/g)).toHaveLength(1);
    expect(sql).toMatch(/toUInt16\(if\(i0 > 0, /);
  });

  it('reads by position or by layout hash when told the layout, and refuses a malformed hash', () => {
    const numeric = plans().numeric;
    const name = numeric[0].name;
    expect(numericCountsSql(w, numeric, false, { kind: 'positions', positions: new Map([[name, 3]]) })).toContain('num_values[3] AS x0');
    const absent = numericCountsSql(w, numeric, false, { kind: 'positions', positions: new Map([['other', 1]]) });
    expect(absent).toContain(`SELECT [toUInt16(${numeric[0].slotBin.length})] AS keys`);
    const byHash = numericCountsSql(w, numeric, false, { kind: 'layouts', layouts: [{ layout: '123', positions: new Map([[name, 2]]) }, { layout: '18446744073709551615', positions: new Map() }] });
    expect(byHash).toContain('WITH CAST([123, 18446744073709551615] AS Array(UInt64)) AS layout_hashes SELECT');
    expect(byHash).toContain('transform(name_layout, layout_hashes, CAST([2, 0] AS Array(UInt16)), toUInt16(0)) AS i0');
    // 1 024 layouts of 20 features stay well inside ClickHouse's default max_query_size (256 KiB)
    const many = Array.from({ length: 1024 }, (_, i) => ({ layout: String(18446744073709551615n - BigInt(i)), positions: new Map([[name, (i % 20) + 1]]) }));
    const twenty = Array.from({ length: 20 }, () => numeric[0]);
    expect(numericCountsSql(w, twenty, false, { kind: 'layouts', layouts: many }).length).toBeLessThan(150_000);
    expect(() => numericCountsSql(w, numeric, false, { kind: 'layouts', layouts: [{ layout: '1) OR 1=1 --', positions: new Map([[name, 2]]) }] })).toThrow(/not a layout hash/);
    expect(sqlFloat(5)).toBe('5.0000000000000000');
    expect(sqlFloat(-Infinity)).toBe('-inf');
    expect(() => sqlFloat(NaN)).toThrow(/finite/);
  });

  it('has no categorical query when nothing is categorical', () => {
    expect(categoryCountsSql(w, [])).toBeNull();
  });
});

describe('time slices of a window', () => {
  it('cuts [start, end) on whole seconds without gaps or overlaps', () => {
    const start = Date.UTC(2026, 0, 1);
    expect(timeSlices(start, start + 3_600_000, 2)).toEqual([[start, start + 1_800_000], [start + 1_800_000, start + 3_600_000]]);
    const three = timeSlices(start, start + 10_000, 3);
    expect(three).toEqual([[start, start + 3000], [start + 3000, start + 6000], [start + 6000, start + 10_000]]);
    expect(timeSlices(start, start + 1000, 4)).toEqual([[start, start + 1000]]);
  });
});

describe('quality query', () => {
  const w = { model: 'm', start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 0, 1, 1) };
  it('joins the labels table only when it has rows for the model', () => {
    expect(qualitySql(w, true)).toContain('ANY LEFT JOIN');
    expect(qualitySql(w, false)).not.toContain('JOIN');
    expect(qualitySql(w, false)).not.toContain('prediction_id');
  });
});
