import { describe, expect, it } from 'vitest';
import { ident, sqlString, sqlValue } from '../../../src/store/sql.js';
import { expiredPartitions } from '../../../src/store/retention.js';

describe('SQL literals', () => {
  it('escapes quotes, backslashes and control characters', () => {
    expect(sqlString("it's")).toBe("'it\\'s'");
    expect(sqlString('a\\b')).toBe("'a\\\\b'");
    expect(sqlString('x\ny\0z\x01')).toBe("'x\\ny\\0z\\x01'");
    expect(sqlString("'); DROP TABLE predictions; --")).toBe("'\\'); DROP TABLE predictions; --'");
  });
  it('writes numbers, nulls, booleans and arrays', () => {
    expect(sqlValue(null)).toBe('NULL');
    expect(sqlValue(42)).toBe('42');
    expect(sqlValue(0.1)).toBe('0.10000000000000001');
    expect(sqlValue(NaN)).toBe('nan');
    expect(sqlValue([1, 'a', null])).toBe("[1, 'a', NULL]");
    expect(sqlValue(true)).toBe('1');
  });
  it('accepts only plain identifiers', () => {
    expect(ident('predictions_2')).toBe('predictions_2');
    for (const bad of ['', '1abc', 'a-b', 'a b', 'x;DROP', '`x`', 'a'.repeat(200)]) expect(() => ident(bad)).toThrow(/invalid identifier/);
  });
});

describe('retention', () => {
  it('drops only partitions strictly older than the cut-off', () => {
    const cutoff = Date.UTC(2026, 10, 24, 12);
    expect(expiredPartitions(['20261122', '20261123', '20261124', '20261125'], 'day', cutoff)).toEqual(['20261122', '20261123']);
    expect(expiredPartitions(['202609', '202610', '202611', 'tuple()'], 'month', cutoff)).toEqual(['202609', '202610']);
  });
});
