import { describe, expect, it } from 'vitest';
import { allocatedIdleSeconds, DEFAULT_HEALTH } from '../../../src/collectors/health.js';
import { IdleTracker } from '../../../src/collectors/idle.js';
import { parseSmiCsv } from '../../../src/collectors/nvidia-smi.js';
import { fixture, fixtureJson } from './fixtures.js';
import { mulberry32 } from './prng.js';

const ref = fixtureJson<{ idle_run_end_ts_ms: number; idle_run_seconds_mem512_util5: number }>('smi-reference.json');

describe('IdleTracker', () => {
  it('on the H100 capture: the same 6.028 s stretch as the batch computation and the python reference', () => {
    const opts = { idleUtilPercent: 5, idleMinMemoryMiB: 512 };
    const samples = parseSmiCsv(fixture('gpu-h100/query-gpu-under-load.csv'), { host: 'vm', now: 0 }).samples.filter((s) => s.ts <= ref.idle_run_end_ts_ms);
    const tracker = new IdleTracker(opts);
    tracker.observe(samples);
    expect(tracker.seconds('vm', '0')).toBeCloseTo(ref.idle_run_seconds_mem512_util5, 6);
  });

  it('agrees with allocatedIdleSeconds on random series fed one scrape at a time (seeded)', () => {
    const rand = mulberry32(99);
    for (let trial = 0; trial < 50; trial++) {
      const tracker = new IdleTracker(DEFAULT_HEALTH);
      const util = [];
      const mem = [];
      for (let i = 0; i < 60; i++) {
        const ts = i * 10_000;
        const m = { ts, value: rand() < 0.8 ? 4096 : 0 };
        const u = { ts, value: rand() < 0.85 ? 1 : 60 };
        mem.push(m);
        util.push(u);
        tracker.observe([
          { source: 'dcgm', host: 'h', gpu: '0', uuid: '', metric: 'DCGM_FI_DEV_FB_USED', value: m.value, labels: {}, ts },
          { source: 'dcgm', host: 'h', gpu: '0', uuid: '', metric: 'DCGM_FI_DEV_GPU_UTIL', value: u.value, labels: {}, ts },
        ]);
      }
      expect(tracker.seconds('h', '0')).toBe(allocatedIdleSeconds(util, mem, DEFAULT_HEALTH));
    }
  });
});
