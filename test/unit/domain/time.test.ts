import { describe, expect, it } from 'vitest';
import { parseDuration, parseTimestamp } from '../../../src/domain/time.js';

describe('timestamps and durations', () => {
  it('reads RFC 3339 with and without offsets, and epoch ms', () => {
    expect(parseTimestamp('2026-01-02T03:04:05Z')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(parseTimestamp('2026-01-02T05:04:05+02:00')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(parseTimestamp(1767323045000)).toBe(1767323045000);
    expect(parseTimestamp('1767323045000')).toBe(1767323045000);
  });
  it('rejects what is not a time', () => {
    expect(parseTimestamp('yesterday')).toBeUndefined();
    expect(parseTimestamp(-5)).toBeUndefined();
    expect(parseTimestamp({})).toBeUndefined();
  });
  it('parses durations and names the bad ones', () => {
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(() => parseDuration('1 hour')).toThrow(/invalid duration "1 hour"/);
  });
});
