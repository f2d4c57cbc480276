import { describe, expect, it } from 'vitest';
import { expectedFalsePagesPerDay, streamArl0 } from '../../../src/alerting/index.js';

describe('false-page budget', () => {
  it('splits "one false page per N days" across streams', () => {
    // 30 days of hourly windows = 720 windows; 20 streams → each may false-alarm once per 14 400 windows
    expect(streamArl0({ days: 30, streams: 20, windowMs: 3_600_000 })).toBe(14_400);
    expect(streamArl0({ days: 7, streams: 1, windowMs: 86_400_000 })).toBe(7);
    expect(expectedFalsePagesPerDay(14_400, 20, 3_600_000)).toBeCloseTo(1 / 30, 12);
  });
  it('refuses nonsense', () => {
    expect(() => streamArl0({ days: 0, streams: 3, windowMs: 1 })).toThrow(/days/);
    expect(() => streamArl0({ days: 1, streams: 0, windowMs: 1 })).toThrow(/stream count/);
  });
});
