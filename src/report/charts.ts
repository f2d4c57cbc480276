// Chart specifications (Vega-Lite) for each part of the report, rendered to static SVG by Vega in Node:
// no DOM, no canvas, no script in the page. Specs are plain data so tests can check what is plotted.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { FeatureSection, ReportModel } from './model.js';

export const COLORS = { baseline: '#8d99a6', current: '#1c7ed6', drifted: '#d9480f', threshold: '#495057' } as const;

const CONFIG = {
  font: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, gridColor: '#eceff1', domainColor: '#adb5bd', tickColor: '#adb5bd' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'top' },
  background: 'transparent',
  // the page describes each chart once (figure role="img" with a label); per-mark ARIA text only repeated the data
  aria: false,
} as const;

const WIDTH = 340;

function sideScale(drifted: boolean) {
  return { domain: ['baseline', 'current'], range: [COLORS.baseline, drifted ? COLORS.drifted : COLORS.current] };
}

/** Baseline and current shares per display bin (numeric) or category (categorical). */
export function histogramSpec(f: FeatureSection): TopLevelSpec | undefined {
  const h = f.histogram;
  if (!h) return undefined;
  if (h.kind === 'numeric') {
    const values = h.current.flatMap((c, i) => [
      { lo: h.edges[i], hi: h.edges[i + 1], side: 'baseline', share: h.reference[i] },
      { lo: h.edges[i], hi: h.edges[i + 1], side: 'current', share: c },
    ]);
    return {
      width: WIDTH,
      height: 150,
      data: { values },
      mark: { type: 'bar', opacity: 0.55, binSpacing: 0 },
      encoding: {
        x: { field: 'lo', type: 'quantitative', title: f.name, scale: { zero: false, nice: false } },
        x2: { field: 'hi' },
        y: { field: 'share', type: 'quantitative', stack: null, title: 'share of rows', axis: { format: '.0%' }, scale: { zero: true } },
        y2: { datum: 0 },
        color: { field: 'side', type: 'nominal', title: null, scale: sideScale(f.drifted) },
      },
      config: CONFIG,
    } as TopLevelSpec;
  }
  const values = h.categories.flatMap((category, i) => [
    { category, side: 'baseline', share: h.reference[i] },
    { category, side: 'current', share: h.current[i] },
  ]);
  return {
    width: WIDTH - 80,
    height: { step: 9 },
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'category', type: 'nominal', sort: null, title: null, axis: { labelLimit: 110 } },
      yOffset: { field: 'side', type: 'nominal', sort: ['baseline', 'current'] },
      x: { field: 'share', type: 'quantitative', title: 'share of rows', axis: { format: '.0%' } },
      color: { field: 'side', type: 'nominal', title: null, scale: sideScale(f.drifted) },
    },
    config: CONFIG,
  } as TopLevelSpec;
}

/** PSI of every feature, most severe on top, with the threshold as a line. */
export function overviewSpec(model: ReportModel): TopLevelSpec | undefined {
  if (model.features.length === 0) return undefined;
  const values = model.features.map((f) => ({ feature: f.name, psi: f.psi, state: f.drifted ? 'drifted' : 'no drift' }));
  return {
    width: WIDTH + 140,
    height: { step: 16 },
    layer: [
      {
        data: { values },
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: {
          y: { field: 'feature', type: 'nominal', sort: null, title: null, axis: { labelLimit: 140 } },
          x: { field: 'psi', type: 'quantitative', title: 'PSI (current vs baseline)' },
          color: { field: 'state', type: 'nominal', title: null, scale: { domain: ['drifted', 'no drift'], range: [COLORS.drifted, COLORS.current] } },
        },
      },
      {
        data: { values: [{ threshold: model.rule.psiThreshold }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: COLORS.threshold },
        encoding: { x: { field: 'threshold', type: 'quantitative' } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** How many features the drift-over-time chart draws (the most severe); more lines are unreadable. */
export const TIMELINE_FEATURES = 8;

/** PSI per window for the most severe features, threshold dashed. */
export function timelineSpec(model: ReportModel): TopLevelSpec | undefined {
  const shown = new Set(model.features.slice(0, TIMELINE_FEATURES).map((f) => f.name));
  const values = model.timeline.filter((p) => p.statistic === 'psi' && (shown.size === 0 || shown.has(p.feature)));
  if (values.length === 0) return undefined;
  const order = [...shown].filter((name) => values.some((v) => v.feature === name));
  return {
    width: WIDTH + 220,
    height: 180,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.6 },
        encoding: {
          x: { field: 'start', type: 'temporal', title: 'window start (UTC)', scale: { type: 'utc' }, axis: { format: '%b %d %H:%M', labelOverlap: true } },
          y: { field: 'value', type: 'quantitative', title: 'PSI' },
          color: { field: 'feature', type: 'nominal', title: null, sort: order.length > 0 ? order : undefined, scale: { scheme: 'tableau10' } },
        },
      },
      {
        data: { values: [{ threshold: model.rule.psiThreshold }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: COLORS.threshold },
        encoding: { y: { field: 'threshold', type: 'quantitative' } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/**
 * Model quality per window (line) over label coverage (bars, right axis), with the accuracy estimated before labels
 * (dashed, its interval shaded) beside it when the baseline has a calibration.
 */
export function qualitySpec(model: ReportModel): TopLevelSpec | undefined {
  const estimates = model.estimates ?? [];
  if (model.quality.length === 0 && estimates.length === 0) return undefined;
  const values = model.quality.map((p) => ({ start: p.start, end: p.end, metric: p.metric, value: p.value, coverage: p.rows > 0 ? p.labeled / p.rows : 0 }));
  const x = { field: 'start', type: 'temporal', title: 'window start (UTC)', scale: { type: 'utc' }, axis: { format: '%b %d %H:%M', labelOverlap: true } };
  const title = values[0]?.metric ?? 'accuracy';
  const realized = values.length === 0 ? [] : [
    {
      data: { values },
      mark: { type: 'bar', color: '#e9ecef', stroke: '#fff', strokeWidth: 1 },
      encoding: {
        x,
        x2: { field: 'end' },
        y: { field: 'coverage', type: 'quantitative', title: 'label coverage', axis: { format: '.0%', orient: 'right' }, scale: { domain: [0, 1] } },
        y2: { datum: 0 },
      },
    },
    {
      data: { values },
      mark: { type: 'line', point: { size: 18 }, color: COLORS.current, strokeWidth: 1.8 },
      encoding: { x, y: { field: 'value', type: 'quantitative', title, scale: { zero: false } } },
    },
  ];
  const estimated = estimates.length === 0 ? [] : [
    {
      data: { values: estimates.filter((e) => e.low !== null && e.high !== null) },
      mark: { type: 'area', color: COLORS.baseline, opacity: 0.25 },
      encoding: { x, y: { field: 'low', type: 'quantitative', title, scale: { zero: false } }, y2: { field: 'high' } },
    },
    {
      data: { values: estimates },
      mark: { type: 'line', color: COLORS.baseline, strokeDash: [5, 3], strokeWidth: 1.5 },
      encoding: { x, y: { field: 'value', type: 'quantitative', title, scale: { zero: false } } },
    },
  ];
  return {
    width: WIDTH + 220,
    height: 180,
    layer: [...realized, ...estimated],
    resolve: { scale: { y: values.length && estimates.length ? 'shared' : 'independent' } },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Mean PCA reconstruction error per window against the baseline band (mean ± 3σ); flagged windows in the drift colour. */
export function multivariateSpec(model: ReportModel): TopLevelSpec | undefined {
  const points = model.multivariate ?? [];
  if (points.length === 0) return undefined;
  const x = { field: 'start', type: 'temporal', title: 'window start (UTC)', scale: { type: 'utc' }, axis: { format: '%b %d %H:%M', labelOverlap: true } };
  const y = { type: 'quantitative', title: 'reconstruction error', scale: { zero: false } } as const;
  return {
    width: WIDTH + 220,
    height: 160,
    data: { values: points },
    layer: [
      { mark: { type: 'area', color: COLORS.baseline, opacity: 0.25 }, encoding: { x, y: { field: 'low', ...y }, y2: { field: 'high' } } },
      { mark: { type: 'line', color: COLORS.current, strokeWidth: 1.8 }, encoding: { x, y: { field: 'error', ...y } } },
      {
        mark: { type: 'point', filled: true, size: 30 },
        encoding: { x, y: { field: 'error', ...y }, color: { field: 'drift', type: 'nominal', scale: { domain: [false, true], range: [COLORS.current, COLORS.drifted] }, legend: null } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/**
 * Geometry to 2 decimals (a hundredth of a pixel; Vega writes 15 digits), without the invisible helper paths and
 * pointer-event hints a static page has no use for: a third of the size, the same picture.
 */
export function compact(svg: string): string {
  return svg
    .replace(/<path class="foreground"[^>]*display="none"\/>/g, '')
    .replace(/ pointer-events="none"/g, '')
    .replace(/ (d|transform|x|y|x1|x2|y1|y2|width|height|points)="([^"]*)"/g, (_m, name: string, value: string) => {
      const rounded = value.replace(/-?\d*\.\d{3,}(?:e-?\d+)?/g, (n) => String(Math.round(Number(n) * 100) / 100));
      return ` ${name}="${rounded}"`;
    });
}

/** Static SVG of a Vega-Lite spec; ids made unique per chart so several SVGs can share one page. */
export async function renderSvg(spec: TopLevelSpec, id: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = compact(await view.toSVG());
    return svg.replace(/(id="|url\(#|href="#)([^"')]+)/g, (_m, prefix: string, name: string) => `${prefix}${id}-${name}`);
  } finally {
    view.finalize();
  }
}
