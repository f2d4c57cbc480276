// When the type-mismatch query runs: only when a window's name layouts carry a feature under the other kind.
import { describe, expect, it } from 'vitest';
import { mayHaveTypeMismatches, typeMismatchSql } from '../../../src/evaluate/quality-sql.js';
import type { WindowPlan } from '../../../src/evaluate/index.js';

const plan = {
  numeric: [{ name: 'amount', source: 'feature' }, { name: '__prediction__', source: 'prediction' }],
  categorical: [{ name: 'country', source: 'feature' }],
} as unknown as Pick<WindowPlan, 'numeric' | 'categorical'>;
const layout = (num: string[], cat: string[]) => ({ names: { num, cat, missing: [] } });

describe('type-mismatch push-down', () => {
  it('is skipped for clean layouts, run when one shows a mismatch or the layouts are unknown', () => {
    expect(mayHaveTypeMismatches(plan, [layout(['amount'], ['country']), layout([], ['country'])])).toBe(false);
    expect(mayHaveTypeMismatches(plan, [layout(['amount'], ['country']), layout([], ['amount', 'country'])])).toBe(true);
    expect(mayHaveTypeMismatches(plan, [layout(['amount', 'country'], [])])).toBe(true);
    expect(mayHaveTypeMismatches(plan, null)).toBe(true);
    expect(mayHaveTypeMismatches({ numeric: [], categorical: [] }, null)).toBe(false);
  });
  it('names only features (never the prediction), quoted', () => {
    const sql = typeMismatchSql({ model: "m'1", start: 0, end: 3_600_000 }, plan, false)!;
    expect(sql).toContain("has(['amount'], name)");
    expect(sql).toContain("has(['country'], name)");
    expect(sql).not.toContain('__prediction__');
    expect(sql).toContain("model = 'm\\'1'");
    expect(sql).not.toContain('FINAL');
    expect(typeMismatchSql({ model: 'm', start: 0, end: 1000 }, plan, true)).toContain('predictions FINAL');
  });
});
