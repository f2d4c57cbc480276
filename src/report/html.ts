// The report as one self-contained HTML page: inline CSS and inline SVG charts, no script, no network fetch.
import type { TopLevelSpec } from 'vega-lite';
import { histogramSpec, multivariateSpec, overviewSpec, qualitySpec, renderSvg, timelineSpec } from './charts.js';
import type { FeatureSection, ReportModel } from './model.js';
import { number, psiSize, summaryLines, utc } from './words.js';
import { QUALITY_LABELS } from './quality.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212529;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:16px}
header h1{font-size:1.5rem;margin:0 0 4px}header p{margin:0;color:#5c6670;font-size:.9rem;overflow-wrap:anywhere}
section.panel{background:#fff;border:1px solid #e3e6ea;border-radius:10px;padding:14px 16px;margin:14px 0}
h2{font-size:1.1rem;margin:0 0 8px}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.tile{flex:1 1 150px;background:#f8f9fa;border-radius:8px;padding:8px 12px}.tile b{display:block;font-size:1.5rem}
.tile.bad b{color:#d9480f}
ul.words{padding-left:1.1rem;margin:6px 0}ul.words li{margin:3px 0;overflow-wrap:anywhere}
figure.chart{margin:8px 0 0;overflow-x:auto}figure.chart svg{max-width:100%;height:auto;display:block}
.features{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px}
article.feature{background:#fff;border:1px solid #e3e6ea;border-left:5px solid #1c7ed6;border-radius:10px;padding:12px 14px;min-width:0}
article.feature.drifted{border-left-color:#d9480f}
article.feature h3{margin:0;font-size:1.05rem;display:flex;gap:8px;align-items:center;flex-wrap:wrap;overflow-wrap:anywhere}
.badge{font-size:.72rem;font-weight:600;border-radius:999px;padding:1px 8px;background:#e7f5ff;color:#1864ab}
.drifted .badge{background:#fff4e6;color:#d9480f}
dl.stats{display:flex;flex-wrap:wrap;gap:6px 18px;margin:8px 0;font-size:.85rem}
dl.stats div{min-width:64px}dl.stats dt{color:#6c757d;font-size:.75rem}dl.stats dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
p.reason{font-size:.85rem;color:#495057;margin:4px 0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:.85rem}td,th{border-bottom:1px solid #eceff1;padding:4px 6px;text-align:left;vertical-align:top}
.scroll{overflow-x:auto}.muted{color:#6c757d;font-size:.85rem}
@media (max-width:600px){main{padding:8px}.features{grid-template-columns:1fr}section.panel{padding:10px}
#alerts table,#alerts tbody,#alerts tr,#alerts td{display:block}#alerts thead{display:none}#alerts td{border:0;padding:1px 0}#alerts tr{border-bottom:1px solid #eceff1;padding:6px 0}}
`;

async function figure(spec: TopLevelSpec | undefined, id: string, kind: string, label: string): Promise<string> {
  if (!spec) return '';
  return `<figure class="chart" data-chart="${kind}" role="img" aria-label="${escapeHtml(label)}">${await renderSvg(spec, id)}</figure>`;
}

function stat(name: string, value: string): string {
  return `<div><dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd></div>`;
}

/** Hellinger as a number, the shares as percentages; nothing for what does not apply. */
function qualityStats(f: FeatureSection): string {
  return QUALITY_LABELS.map(([key, label]) => {
    const v = f.quality?.[key];
    if (v === undefined || v === null) return '';
    return stat(label, key === 'hellinger' ? number(v) : `${Number((v * 100).toPrecision(3))} %`);
  }).join('');
}

async function featureCard(f: FeatureSection, index: number): Promise<string> {
  const test = f.test
    ? stat(f.test.name === 'KS' ? 'KS D' : 'χ²', number(f.test.statistic)) + stat(f.test.name === 'KS' ? 'KS p' : 'χ² p', f.test.pValue < 1e-16 ? '< 1e-16' : number(f.test.pValue))
    : '';
  const chart = await figure(histogramSpec(f), `f${index}`, 'histogram', `${f.name}: baseline vs current distribution`);
  return `<article class="feature${f.drifted ? ' drifted' : ''}" data-feature="${escapeHtml(f.name)}" data-drifted="${f.drifted}">
<h3>${escapeHtml(f.name)} <span class="badge">${f.drifted ? 'DRIFT' : 'no drift'}</span> <span class="muted">${f.kind} · ${psiSize(f.psi)}</span></h3>
<dl class="stats">${stat('PSI', number(f.psi))}${test}${f.jsDistance !== undefined ? stat('JS dist', number(f.jsDistance)) : ''}${f.wassersteinNormed !== undefined ? stat('W1 / σ', number(f.wassersteinNormed)) : ''}${qualityStats(f)}${stat('rows', `${f.nReference} → ${f.nCurrent}`)}</dl>
<p class="reason">${escapeHtml(f.reason)}</p>${chart}</article>`;
}

function alertsTable(model: ReportModel): string {
  if (model.alerts.length === 0) return '';
  const rows = model.alerts
    .map((a) => `<tr><td>${escapeHtml(utc(a.at))}</td><td>${escapeHtml(a.status)}</td><td>${escapeHtml(a.feature)}</td><td>${escapeHtml(`${a.statistic} ${number(a.value)}`)}</td><td>${escapeHtml(a.reason)}</td></tr>`)
    .join('');
  return `<section class="panel" id="alerts"><h2>Alerts</h2><div class="scroll"><table><thead><tr><th>at</th><th>status</th><th>feature</th><th>value</th><th>why</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

/** The whole page. Charts are rendered one after another: Vega's renderer is single-threaded anyway. */
export async function renderReport(model: ReportModel): Promise<string> {
  const drifted = model.features.filter((f) => f.drifted).length;
  const maxPsi = model.features.reduce((m, f) => Math.max(m, f.psi), 0);
  const fired = model.alerts.filter((a) => a.status === 'firing').length;
  const cards: string[] = [];
  for (const [i, f] of model.features.entries()) cards.push(await featureCard(f, i));
  const timeline = await figure(timelineSpec(model), 'timeline', 'timeline', 'PSI per window for the most severe features');
  const quality = await figure(qualitySpec(model), 'quality', 'quality', 'model quality and label coverage per window, the accuracy estimated before labels dashed');
  const multivariate = await figure(multivariateSpec(model), 'multivariate', 'multivariate', 'mean PCA reconstruction error per window against the baseline band');
  const range = model.range ? ` · ${utc(model.range.from)} → ${utc(model.range.to)}` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(model.title)}</title><style>${CSS}</style></head>
<body><main>
<header><h1>${escapeHtml(model.title)}</h1><p>${escapeHtml(model.source)}${escapeHtml(range)} · generated ${escapeHtml(utc(model.generatedAt))}</p></header>
<section class="panel" id="summary"><h2>Summary</h2>
<div class="tiles"><div class="tile${drifted > 0 ? ' bad' : ''}"><b>${drifted} / ${model.features.length}</b>features drifted</div>
<div class="tile"><b>${number(maxPsi)}</b>largest PSI</div>${model.timeline.length > 0 || model.alerts.length > 0 ? `<div class="tile${fired > 0 ? ' bad' : ''}"><b>${fired}</b>alerts fired</div>` : ''}</div>
<ul class="words">${summaryLines(model).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>
${await figure(overviewSpec(model), 'overview', 'overview', 'PSI per feature, most severe first')}</section>
${alertsTable(model)}
${timeline ? `<section class="panel" id="drift-over-time"><h2>Drift over time</h2>${timeline}</section>` : ''}
${quality ? `<section class="panel" id="quality"><h2>Model quality and label coverage</h2>${quality}${model.estimates?.length ? '<p>Dashed: accuracy estimated from calibrated scores before labels (CBPE), its 95 % interval shaded; it assumes no concept drift, so the realized line is the one to trust once labels land.</p>' : ''}</section>` : ''}
${multivariate ? `<section class="panel" id="multivariate"><h2>Multivariate drift</h2>${multivariate}</section>` : ''}
<section id="features"><h2>Features, most severe first</h2><div class="features">${cards.join('\n')}</div></section>
${model.notes.length > 0 ? `<section class="panel" id="notes"><h2>Notes</h2><ul class="words">${model.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul></section>` : ''}
</main></body></html>
`;
}
