// The push-down SQL: names and values only as escaped literals, one ARRAY JOIN key per feature, FINAL reads; time slices.
import { describe, expect, it } from 'vitest';
import { buildBaseline, type Column } from '../../../src/baseline/index.js';
import { categoryCountsSql, labelArrivalsSql, numericCountsSql, planFromBaseline, qualitySql, timeSlices } from '../../../src/evaluate/index.js';

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
    expect(qualitySql(w)).toContain("FROM labels FINAL WHERE model = 'mo\\'del'");
    expect(labelArrivalsSql("mo'del", 3_600_000, w.start, w.end)).toContain("model = 'mo\\'del'");
  });

  it('reads predictions with FINAL inside the window [start, end) in whole seconds', () => {
    const sql = numericCountsSql(w, plans().numeric);
    expect(sql).toContain(`FROM predictions FINAL WHERE model = 'mo\\'del' AND ts >= toDateTime(${w.start / 1000}) AND ts < toDateTime(${w.end / 1000})`);
    expect(sql).toMatch(/ARRAY JOIN keys AS key GROUP BY key$/);
    // one key for the row count and one per numeric feature
    expect(sql.match(/toInt64\(if\(p\d+,/g)).toHaveLength(1);
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
