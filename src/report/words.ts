// The report's summary in plain words: what drifted, by how much, which alerts fired and why, how quality moved.
import type { DriftRule } from '../stats/index.js';
import type { FeatureSection, ReportModel } from './model.js';

/** 4 significant digits, scientific below 0.001, "< 1e-16" for p-values that underflow. */
export function number(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '–';
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3) return x < 1e-16 && x > 0 ? '< 1e-16' : x.toExponential(1);
  return String(Number(x.toPrecision(4)));
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

/** RFC 3339 to the minute, UTC. */
export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How large a PSI is, in the words the PSI literature uses (< 0.1 small, 0.1–0.25 moderate, ≥ 0.25 major). */
export function psiSize(psi: number): string {
  return psi >= 0.25 ? 'major shift' : psi >= 0.1 ? 'moderate shift' : 'small shift';
}

function testWords(f: FeatureSection): string {
  return f.test ? `${f.test.name === 'KS' ? 'KS' : 'χ²'} p ${f.test.pValue < 1e-16 ? '< 1e-16' : `= ${number(f.test.pValue)}`}` : '';
}

export function offlineRuleWords(rule: DriftRule): string {
  return `A feature counts as drifted when its test is significant (KS or χ² p < ${rule.alpha}) and its PSI is at least ${rule.psiThreshold}.`;
}

export function summaryLines(model: ReportModel): string[] {
  const lines: string[] = [];
  const drifted = model.features.filter((f) => f.drifted);
  const n = model.features.length;
  if (drifted.length === 0) {
    const top = model.features[0];
    lines.push(`No feature drifted (of ${n}).${top ? ` The largest shift is ${top.name}, PSI ${number(top.psi)} (${psiSize(top.psi)}).` : ''}`);
  } else {
    const list = drifted.slice(0, 5).map((f) => `${f.name} (PSI ${number(f.psi)}, ${psiSize(f.psi)}${f.test ? `; ${testWords(f)}` : ''})`);
    lines.push(`${drifted.length} of ${n} features drifted: ${list.join(', ')}${drifted.length > 5 ? ` and ${drifted.length - 5} more` : ''}.`);
  }
  lines.push(model.decisionRule);
  const fired = model.alerts.filter((a) => a.status === 'firing');
  const resolved = model.alerts.filter((a) => a.status === 'resolved');
  if (model.alerts.length > 0) {
    lines.push(`${fired.length} alert${fired.length === 1 ? '' : 's'} fired${resolved.length ? `, ${resolved.length} resolved` : ''} in this range.`);
    for (const a of fired.slice(0, 5)) lines.push(`${utc(a.at)} — ${a.feature}: ${a.reason}`);
  } else if (model.timeline.length > 0) {
    lines.push('No alert fired in this range: the sequential tests did not gather enough evidence of a lasting shift.');
  }
  const q = model.quality;
  if (q.length > 1) {
    const first = q[0];
    const last = q[q.length - 1];
    const labeled = q.reduce((s, p) => s + p.labeled, 0);
    const rows = q.reduce((s, p) => s + p.rows, 0);
    lines.push(
      `${first.metric} went from ${number(first.value)} to ${number(last.value)} over ${q.length} windows; labels cover ${rows > 0 ? percent(labeled / rows) : '–'} of the predictions.`,
    );
  }
  return lines;
}
