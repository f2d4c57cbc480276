// The report of `driftwatch report --reference --current`: the same comparison as `driftwatch drift`
// (compareToReference), plus display histograms of each shared column.
import { compareToReference, type ReferenceSet, type Table } from '../baseline/index.js';
import type { ColumnDrift, DriftRule } from '../stats/index.js';
import { categoryBars, numericHistogram } from './histogram.js';
import { offlineRuleWords } from './words.js';
import { bySeverity, type FeatureSection, type ReportModel } from './model.js';
import { qualityOfColumn } from './quality.js';

/** A feature section from one column's drift (the statistics of src/stats, unchanged). */
export function featureSection(c: ColumnDrift, histogram?: FeatureSection['histogram']): FeatureSection {
  return {
    name: c.column,
    kind: c.kind,
    drifted: c.drift,
    reason: c.reason,
    psi: c.psi,
    test: c.ks ? { name: 'KS', statistic: c.ks.statistic, pValue: c.ks.pValue } : c.chi2 ? { name: 'chi2', statistic: c.chi2.statistic, pValue: c.chi2.pValue } : undefined,
    jsDistance: c.jsDistance,
    wassersteinNormed: c.wassersteinNormed,
    quality: qualityOfColumn(c),
    nReference: c.nReference,
    nCurrent: c.nCurrent,
    histogram,
  };
}

export interface OfflineOptions {
  rule: DriftRule;
  /** epoch ms, printed on the report */
  generatedAt: number;
  title?: string;
}

export function offlineReport(reference: ReferenceSet, current: Table, options: OfflineOptions): ReportModel {
  const columns = compareToReference(reference, current, options.rule);
  const notes: string[] = [];
  const features = columns.map((c) => {
    const ref = reference.columns.get(c.column)!;
    const column = current.columns.get(c.column)!;
    if (ref.kind === 'numeric' && column.kind === 'numeric') {
      if (ref.distribution.kind === 'quantiles') {
        notes.push(`${c.column}: the baseline keeps quantiles, not the sample; KS D is within ${ref.distribution.ksBound.toPrecision(2)} of the exact value and the baseline histogram is drawn from the quantiles.`);
      }
      return featureSection(c, numericHistogram(ref.distribution, column.values));
    }
    if (ref.kind === 'categorical' && column.kind === 'categorical') {
      const counts = new Map<string | null, number>();
      for (const v of column.values) counts.set(v, (counts.get(v) ?? 0) + 1);
      return featureSection(c, categoryBars(ref.frequencies, counts));
    }
    return featureSection(c);
  });
  const missing = [...reference.columns.keys()].filter((name) => !current.columns.has(name));
  if (missing.length > 0) notes.push(`Not in ${current.source}: ${missing.join(', ')}.`);
  notes.push('Offline comparison of two files: no time axis, so drift over time and model quality over time come from the ClickHouse mode (--model).');
  return {
    title: options.title ?? 'Drift report',
    source: `reference ${reference.source} (${columns[0]?.nReference ?? 0} rows) vs current ${current.source} (${current.rows} rows)`,
    generatedAt: options.generatedAt,
    rule: options.rule,
    decisionRule: offlineRuleWords(options.rule),
    features: features.sort(bySeverity),
    timeline: [],
    quality: [],
    alerts: [],
    notes,
  };
}
