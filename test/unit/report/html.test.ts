import { describe, expect, it } from 'vitest';
import { escapeHtml, renderReport, storeReport, type ReportModel } from '../../../src/report/index.js';
import { fakeStore } from './fake-store.js';
import { HOUR, MODEL, START, WINDOWS, scenario } from './scenario.js';

async function storedModel(): Promise<ReportModel> {
  return storeReport(fakeStore(scenario()), { model: MODEL, from: START, to: START + WINDOWS * HOUR, now: START + WINDOWS * HOUR });
}

const hostile = '<img src=x onerror=alert(1)>&"\'';

function withHistograms(model: ReportModel): ReportModel {
  // the fake store answers no aggregates; give two features a histogram so charts of both kinds are drawn
  const [a, b, ...rest] = model.features;
  return {
    ...model,
    features: [
      { ...a, histogram: { kind: 'numeric', edges: [0, 1, 2], reference: [0.5, 0.5], current: [0.2, 0.8], clipped: { reference: 0, current: 0 }, approximate: false } },
      { ...b, name: hostile, histogram: { kind: 'categorical', categories: ['DE', hostile], reference: [0.6, 0.4], current: [0.5, 0.5] } },
      ...rest,
    ],
  };
}

describe('HTML report', () => {
  it('is one self-contained page: viewport, CSP, no script, no URL but the SVG namespaces', async () => {
    const html = await renderReport(withHistograms(await storedModel()));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script/i);
    const urls = [...html.matchAll(/(?:https?:)?\/\/[\w.-]+\.[a-z]{2,}[^\s"')]*/gi)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
  });

  it('draws one chart per feature with a histogram plus overview, drift over time and quality', async () => {
    const html = await renderReport(withHistograms(await storedModel()));
    const kinds = [...html.matchAll(/<figure class="chart" data-chart="(\w+)"/g)].map((m) => m[1]);
    expect(kinds).toEqual(['overview', 'timeline', 'quality', 'histogram', 'histogram']);
    expect(html.match(/<svg /g)).toHaveLength(5);
  });

  it('keeps SVG ids unique across charts so clip paths do not cross', async () => {
    const html = await renderReport(withHistograms(await storedModel()));
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    for (const ref of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref[1]);
  });

  it('escapes feature names and category labels, in the text and in the charts', async () => {
    const html = await renderReport(withHistograms(await storedModel()));
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(hostile));
    expect(escapeHtml(hostile)).toBe('&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;');
  });

  it('lists features most severe first, with the summary in words', async () => {
    const html = await renderReport(await storedModel());
    const order = [...html.matchAll(/<article class="feature[^"]*" data-feature="([^"]+)" data-drifted="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(order[0]).toBe('amount:true');
    expect(order).toHaveLength(5);
    expect(html).toContain('1 of 5 features drifted: amount');
    expect(html).toContain('accuracy went from 0.91 to 0.85 over 12 windows; labels cover 88% of the predictions.');
  });
});
