// `driftwatch drift`: offline drift between a reference (data file or baseline.json) and a current file — the
// check users put in CI/CD before deploying a model. Exit 0 when computed, 1 with --fail-on-drift when the dataset
// drifted, 2 on bad input or usage.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InputError, type FeatureKind } from '../../domain/index.js';
import {
  compareToReference,
  formatOf,
  kindsOf,
  looksLikeBaseline,
  parseBaseline,
  readTable,
  referenceFromBaseline,
  referenceFromTable,
  type ReferenceSet,
  type Table,
} from '../../baseline/index.js';
import { CORRECTIONS, DEFAULT_DRIFT_RULE, datasetVerdict, type ColumnDrift, type Correction, type DriftRule } from '../../stats/index.js';
import { estimateLines, offlineEstimates } from '../../estimate/offline.js';
import { EXIT, type CliIO } from '../io.js';
import { segmentOptions, segmentReferenceSet, segmentTables } from './drift-segments.js';

const USAGE = `usage: driftwatch drift --reference (FILE | baseline.json) --current FILE [--categorical a,b] [--json]
                       [--alpha 0.05] [--psi-threshold 0.1] [--correction holm|bh|none] [--fail-on-drift]
                       [--segments COL[,COL] [--segment-top 10]]
  FILE: .csv with a header row, or .jsonl (flat rows or prediction messages)
  A column drifted when its test is significant (KS p for numeric, chi2 p for categorical, < --alpha)
  AND its PSI >= --psi-threshold. The dataset drifted when a column does with its p-value adjusted for the
  number of columns (--correction, default holm). Exit 0 when computed; with --fail-on-drift, 1 when the
  dataset drifted; 2 on bad input or usage. --segments also compares each of a categorical column's top values
  (by rows in the current file) and the rest together (__other__) with the reference ("segments" in --json): with
  the baseline's own profile of that segment when it has one (baseline build --segments), else the whole reference
  ("reference": "segment" or "model").`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        reference: { type: 'string' },
        current: { type: 'string' },
        categorical: { type: 'string' },
        json: { type: 'boolean' },
        alpha: { type: 'string' },
        'psi-threshold': { type: 'string' },
        correction: { type: 'string' },
        'fail-on-drift': { type: 'boolean' },
        segments: { type: 'string' },
        'segment-top': { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n${USAGE}`);
  }
}

function probability(text: string | undefined, fallback: number, flag: string, max = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0 && value < max)) throw new InputError(`--${flag} must be a number in (0, ${max}), got "${text}"`);
  return value;
}

export function categoricalList(text: string | undefined): Map<string, FeatureKind> {
  const names = (text ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return new Map(names.map((n) => [n, 'categorical' as const]));
}

/** The reference as `driftwatch drift` reads it: a baseline.json, or a data file profiled exactly. */
export async function loadReference(path: string, categorical: Map<string, FeatureKind>): Promise<ReferenceSet> {
  if (path.toLowerCase().endsWith('.json')) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new InputError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'missing_file');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined; // not one JSON document: read it as JSON Lines below
    }
    if (looksLikeBaseline(parsed)) return referenceFromBaseline(parseBaseline(parsed, path), path);
  }
  return referenceFromTable(await readTable(path, { kinds: categorical }));
}

function correctionOf(text: string | undefined): Correction {
  if (text === undefined) return 'holm';
  if (!(CORRECTIONS as readonly string[]).includes(text)) throw new InputError(`--correction must be one of ${CORRECTIONS.join(', ')}, got "${text}"`);
  return text as Correction;
}

const round = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : Number(x.toPrecision(10)));

/** The JSON shape of one column (issue 3): ks/wasserstein for numeric, chi2 for categorical, null where not applicable. */
export function columnJson(c: ColumnDrift): Record<string, unknown> {
  return {
    column: c.column,
    kind: c.kind,
    n_reference: c.nReference,
    n_current: c.nCurrent,
    psi: round(c.psi),
    ks: c.ks
      ? {
          statistic: round(c.ks.statistic),
          p_value: round(c.ks.pValue),
          method: c.ks.method,
          ...(c.ks.approximationBound !== undefined ? { approximation_bound: round(c.ks.approximationBound) } : {}),
        }
      : null,
    wasserstein: round(c.wasserstein),
    wasserstein_normed: round(c.wassersteinNormed),
    chi2: c.chi2 ? { statistic: round(c.chi2.statistic), p_value: round(c.chi2.pValue), dof: c.chi2.dof } : null,
    js_distance: round(c.jsDistance),
    hellinger: round(c.hellinger),
    ...qualityJson(c),
    drift: c.drift,
    reason: c.reason,
  };
}

const test = (t: { statistic: number; pValue: number } | undefined) => (t ? { statistic: round(t.statistic), p_value: round(t.pValue) } : null);

/** The data-quality shares and the tail-sensitive tests of one column (issue 16); null where one does not apply. */
function qualityJson(c: ColumnDrift): Record<string, unknown> {
  return {
    cvm: test(c.cvm),
    anderson: test(c.anderson),
    missing_rate: round(c.missingRate),
    out_of_range_rate: round(c.outOfRangeRate),
    unseen_rate: round(c.unseenRate),
    type_mismatch_rate: round(c.typeMismatchRate),
  };
}

const num = (x: number | undefined, digits = 4): string => (x === undefined ? '-' : x !== 0 && Math.abs(x) < 10 ** -digits ? x.toExponential(1) : x.toFixed(digits));

function table(columns: ColumnDrift[], verdict: ReturnType<typeof datasetVerdict>): string[] {
  const header = ['column', 'kind', 'n_ref', 'n_cur', 'psi', 'test', 'stat', 'p_value', 'p_adj', 'js', 'hellinger', 'w1_normed', 'missing', 'new', 'bad_type', 'drift'];
  const rows = columns.map((c, i) => [
    c.column,
    c.kind,
    String(c.nReference),
    String(c.nCurrent),
    num(c.psi),
    c.ks ? 'KS' : 'chi2',
    num(c.ks ? c.ks.statistic : c.chi2?.statistic),
    num(c.ks ? c.ks.pValue : c.chi2?.pValue),
    num(verdict.adjusted[i]),
    num(c.jsDistance),
    num(c.hellinger),
    num(c.wassersteinNormed),
    num(c.missingRate),
    // out-of-range share for numeric columns, unseen-category share for categorical ones
    num(c.outOfRangeRate ?? c.unseenRate),
    num(c.typeMismatchRate),
    verdict.driftedColumns.includes(c.column) ? 'DRIFT' : c.drift ? 'drift*' : 'ok',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const drifted = verdict.driftedColumns;
  const uncorrected = columns.filter((c) => c.drift && !drifted.includes(c.column)).map((c) => c.column);
  return [
    line(header),
    ...rows.map(line),
    '',
    ...columns.map((c) => `${c.column}: ${c.reason}`),
    '',
    `${drifted.length} of ${columns.length} columns drifted (p adjusted: ${verdict.correction})${drifted.length ? `: ${drifted.join(', ')}` : ''}`,
    ...(uncorrected.length ? [`drift* (only without the correction): ${uncorrected.join(', ')}`] : []),
  ];
}

/** The table without one column (the label read for the estimate is not a drift column). */
function withoutColumn(table: Table, name: string): Table {
  const columns = new Map(table.columns);
  columns.delete(name);
  return { ...table, columns };
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const values = parse(argv);
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (!values.reference || !values.current) throw new InputError(`--reference and --current are required\n${USAGE}`);
  const rule: DriftRule = {
    alpha: probability(values.alpha, DEFAULT_DRIFT_RULE.alpha, 'alpha'),
    psiThreshold: probability(values['psi-threshold'], DEFAULT_DRIFT_RULE.psiThreshold, 'psi-threshold', Infinity),
  };
  const correction = correctionOf(values.correction);
  const segmenting = segmentOptions(values.segments, values['segment-top']);
  formatOf(values.current);
  const reference = await loadReference(values.reference, categoricalList(values.categorical));
  // The current file is read with the reference's kinds, and only the columns the reference has.
  // values of another type than the reference's are a finding (type_mismatch_rate), not a reason to stop
  // (and a baseline's label column is read too, for the realized quality beside the estimate)
  const label = reference.profile?.label?.column;
  const kinds = new Map([...kindsOf(reference), ...segmenting.features.filter((f) => !reference.columns.has(f)).map((f) => [f, 'categorical' as const] as const)]);
  const current = await readTable(values.current, { kinds, columns: new Set([...reference.columns.keys(), ...(label ? [label] : []), ...segmenting.features]), countTypeMismatches: true });
  const columns = compareToReference(reference, label ? withoutColumn(current, label) : current, rule);
  const verdict = datasetVerdict(columns, rule, correction);
  const notInCurrent = [...reference.columns.keys()].filter((name) => !current.columns.has(name));
  const cut = segmentTables(current, segmenting.features, segmenting.top);
  const segments = cut.map((s) => {
    // each segment against its own profile in the reference baseline when it has one
    const own = segmentReferenceSet(reference, cut, s);
    const c = compareToReference(own.set, label ? withoutColumn(s.table, label) : s.table, rule);
    return { ...s, reference: own.reference, columns: c, verdict: datasetVerdict(c, rule, correction) };
  });
  if (values.json) {
    const estimates = offlineEstimates(reference.profile, current);
    io.out(
      JSON.stringify({
        columns: columns.map((c, i) => ({ ...columnJson(c), adjusted_p_value: round(verdict.adjusted[i]) })),
        drift: verdict.drift,
        drifted_columns: verdict.driftedColumns,
        correction: verdict.correction,
        not_in_current: notInCurrent,
        rule: { alpha: rule.alpha, psi_threshold: rule.psiThreshold, correction: verdict.correction },
        performance_estimate: estimates.performance_estimate,
        multivariate: estimates.multivariate,
        ...(Object.keys(estimates.unavailable).length ? { estimates_unavailable: estimates.unavailable } : {}),
        ...(segmenting.features.length ? {
          segments: segments.map((s) => ({
            segment: s.name, feature: s.feature, value: s.value, rows: s.table.rows, reference: s.reference, drift: s.verdict.drift, drifted_columns: s.verdict.driftedColumns,
            columns: s.columns.map((c, i) => ({ ...columnJson(c), adjusted_p_value: round(s.verdict.adjusted[i]) })),
          })),
        } : {}),
      }),
    );
  } else {
    for (const l of table(columns, verdict)) io.out(l);
    for (const l of estimateLines(offlineEstimates(reference.profile, current))) io.out(l);
    if (notInCurrent.length > 0) io.out(`not in ${values.current}: ${notInCurrent.join(', ')}`);
    for (const s of segments) io.out(`segment ${s.name} (${s.table.rows} rows, against the ${s.reference === 'segment' ? "segment's own profile" : 'whole reference'}): ${s.verdict.driftedColumns.length ? `drifted: ${s.verdict.driftedColumns.join(', ')}` : 'no drift'}`);
  }
  return values['fail-on-drift'] && verdict.drift ? EXIT.failed : EXIT.ok;
}
