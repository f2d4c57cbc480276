// /metrics shows the segments of each model's last window only (telemetry/segment-series.ts): a segment that left
// the top N, or a model whose segments were removed, loses every series; whole-model series and other models stay.
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { WindowEvaluation } from '../../../src/evaluate/index.js';
import { observeSegments } from '../../../src/evaluate/segment-streams.js';
import type { SegmentEvaluation } from '../../../src/evaluate/segment-window.js';
import type { FeatureResult } from '../../../src/evaluate/window-stats.js';
import { evaluateMetrics } from '../../../src/telemetry/evaluate-metrics.js';
import * as N from '../../../src/telemetry/names/index.js';

function feature(name: string, psi: number): FeatureResult {
  return {
    feature: name, kind: 'numeric', rows: 10, present: 10, missingRate: 0.1, psi, ksStatistic: psi / 2, ksUpperBound: null, ksPValue: null,
    jsDistance: psi / 3, chi2: null, chi2PValue: null, hellinger: psi / 4, outOfRangeRate: 0.01, unseenRate: null, typeMismatchRate: 0,
    counts: { kind: 'numeric', counts: [], missing: 0 },
  };
}

function segment(value: string, psi: number): SegmentEvaluation {
  const estimate = { scored: 10, performance: null, multivariate: { reconstruction_error: psi, baseline_mean: 1, baseline_std: 0.1, drift: false, rows: 10 }, errorCounts: null, error: null };
  return { id: 0, feature: 'country', value, name: `country=${value}`, rows: 10, reference: 'model', features: [feature('amount', psi)], estimate } as SegmentEvaluation;
}

function window(model: string, segments: SegmentEvaluation[] | undefined): WindowEvaluation {
  return { model, start: 0, end: 1, baselineVersion: 'v1', rows: 30, features: [feature('amount', 0.05)], quality: {} as WindowEvaluation['quality'], unknownFeatures: [], evaluatedAt: 0, segments };
}

/** The exposition lines of the segment's series. */
const seriesOf = (text: string, model: string, segment: string) => text.split('\n').filter((l) => l.includes(`model="${model}"`) && l.includes(`segment="${segment}"`));

describe('segment gauges on /metrics', () => {
  it('removes the series of a segment the next window did not produce, and of every segment once the model has none', async () => {
    const registry = new Registry();
    const m = evaluateMetrics(registry);
    const observe = (e: WindowEvaluation) => {
      for (const f of e.features) m.psi.set({ model: e.model, feature: f.feature }, f.psi!); // the whole model's (evaluator.ts)
      observeSegments(m, e);
    };
    observe(window('shop', [segment('US', 0.1), segment('DE', 0.2)]));
    observe(window('other', [segment('DE', 0.4)]));
    const first = await registry.metrics();
    // psi, ks, js, missing, hellinger, out of range, type mismatch, window rows, reconstruction error, multivariate drift
    expect(seriesOf(first, 'shop', 'country=DE')).toHaveLength(10);
    observe(window('shop', [segment('US', 0.3), segment('FR', 0.5)]));
    const second = await registry.metrics();
    expect(seriesOf(second, 'shop', 'country=DE')).toEqual([]);
    expect(second).toContain(`${N.FEATURE_PSI}{model="shop",feature="amount",segment="country=US"} 0.3`);
    expect(second).toContain(`${N.FEATURE_PSI}{model="shop",feature="amount",segment="country=FR"} 0.5`);
    expect(seriesOf(second, 'shop', 'country=FR')).toHaveLength(10);
    // another model's DE and the whole-model series are untouched
    expect(seriesOf(second, 'other', 'country=DE')).toEqual(seriesOf(first, 'other', 'country=DE'));
    expect(second).toContain(`${N.FEATURE_PSI}{model="shop",feature="amount"} 0.05`);
    // segments removed from the model's declaration: the next window has none
    observe(window('shop', undefined));
    const third = await registry.metrics();
    expect(third.split('\n').filter((l) => l.includes('model="shop"') && l.includes('segment='))).toEqual([]);
    expect(third).toContain(`${N.FEATURE_PSI}{model="shop",feature="amount"} 0.05`);
    expect(seriesOf(third, 'other', 'country=DE')).toHaveLength(10);
    // no longer evaluated here (another replica owns it)
    m.segmentSeries.forget('other');
    expect((await registry.metrics()).includes('segment=')).toBe(false);
  });
});
