// The live evaluator: for every declared model and every closed window (past its grace period) not yet evaluated,
// ClickHouse computes the aggregates, Node the statistics, and the results land in drift_results in one insert,
// followed by the evaluations mark. Windows whose labels arrived later are re-evaluated within the label horizon.
import type { StreamDecision } from '../alerting/lifecycle.js';
import type { BaselineProfile } from '../baseline/index.js';
import type { LabelGateState } from '../detect/label-gate.js';
import { DEFAULT_POLICY, WindowJudge, partsAtClose, referenceFromProfile, type AlertPolicy, type JudgedWindow } from '../replay/index.js';
import type { Store } from '../store/client.js';
import { StoreError } from '../store/client.js';
import { sqlDateTime, sqlString } from '../store/sql.js';
import { observeEstimate } from '../telemetry/estimate-metrics.js';
import type { EvaluateMetrics } from '../telemetry/evaluate-metrics.js';
import type { BaselineSource } from './baselines.js';
import { LabelledQuality, type LabelledOutcome } from './labelled.js';
import type { ModelDeclaration, ModelRegistry } from './models.js';
import { planFromBaseline, segmentedPlan, type WindowPlan } from './plan.js';
import { fittingEstimateSql } from './estimate-sql.js';
import { foldedEstimate, unfold, type FoldedEstimate } from './estimate-fold.js';
import { windowEstimate, withMultivariateCounts, withMultivariateStream } from './estimate-window.js';
import { DEFAULT_MULTIVARIATE_SAMPLE_ROWS, pcaSampleSql, sampleSlices } from './pca-sample.js';
import { driftResultRows, evaluationRow, failedEvaluationRow, type WindowEvaluation } from './results.js';
import { LayoutBook, MAX_LAYOUTS } from './shape.js';
import { categoryCountsSql, firstPredictionSql, labelArrivalsSql, labelsPresentSql, newestLabelSql, keyLayout, keySpace, numericCountsSql, qualitySql, type FeatureLayout, type SegmentKeys, type WindowRange } from './sql.js';
import { ingestionByWindowSql, unseenBy, unsettledFrom } from './settle.js';
import { observeQuality } from './quality-gauges.js';
import { qualityCounts, summedQuality, type QualityRow } from './segment-quality.js';
import { mayHaveTypeMismatches, typeMismatchSql } from './quality-sql.js';
import { qualityResult, windowSummary, type QualityCounts } from './window-stats.js';
import { DEFAULT_SEGMENT_TOP } from './models.js';
import { segmentCellReferences, type CellReferences } from './segment-reference.js';
import { segmentColumn, segmentFeatures, segmentSelectionSql, segmentSpec, wholeWindow } from './segments.js';
import { segmentEvaluations, windowFeatures } from './segment-window.js';
import { judgeSegments, observeSegments, segmentStreams } from './segment-streams.js';

export type EvaluationKind = 'window' | 'labels' | 'late';

export interface EvaluatorOptions {
  store: Store;
  models: ModelRegistry;
  baselines: BaselineSource;
  policy?: AlertPolicy;
  metrics?: EvaluateMetrics;
  /** epoch ms; the evaluated_at of results */
  clock?: () => number;
  /** attempts per window when ClickHouse fails with a retryable error, and the first back-off */
  attempts?: number;
  retryDelayMs?: number;
  /**
   * concurrent numeric push-down queries per window that needs FINAL, each over a slice of its time range (default
   * 2). FINAL reads one stream per query on ClickHouse 18.16, so slices are what spread such a window over cores; a
   * duplicate prediction always falls in one slice because ts is part of the dedup key. Without FINAL ClickHouse
   * spreads one query over its threads itself.
   */
  slices?: number;
  /**
   * data-quality shares and full-range distance bins (default true); false evaluates as before issue 16 (JS on the
   * PSI bins, no out-of-range share, no type-mismatch query): what bench:evaluate measures their cost against
   */
  dataQuality?: boolean;
  /**
   * count the estimates (score bins, reconstruction error) in the numeric scan's pass instead of a query of their own
   * (default false). bench:evaluate at 10M rows with the error from a sample: 18.16 +42 % folded vs +33 % apart,
   * ClickHouse 26 +28 % vs +17 % (a 21st key per row costs the scan more than a query reading the scores alone);
   * before the sample, at 1M: 18.16 +192 / +154 % folded vs +86 / +14 % apart, 26 within the noise
   */
  foldEstimates?: boolean;
  /**
   * a window with more rows gets its PCA reconstruction error from a time sample of about this many (pca-sample.ts;
   * default 200 000; 0: always every row). The score histogram always counts every row.
   */
  multivariateSampleRows?: number;
  /** above this many name layouts in a window, features are found by name per row (default 1024) */
  maxLayouts?: number;
  /** most windows one tick evaluates per model (catch-up happens over several ticks) */
  maxWindowsPerTick?: number;
  /** a model never evaluated starts at its first prediction, but no further back than this */
  maxCatchUpMs?: number;
  /** feed each first evaluation of a window to the detection policy (default true; backfills turn it off) */
  judge?: boolean;
  /** decisions of the detection policy (raise/resolve), for the alert lifecycle */
  onDecisions?: (decisions: StreamDecision[]) => void | Promise<void>;
  /** the policy failed on a window whose results are stored (they stay stored; the failure is reported here) */
  onPolicyError?: (error: unknown, evaluation: WindowEvaluation) => void;
  /** Replicas: whether this replica evaluates the model now (default: every model). Checked per window. */
  owns?: (model: string) => boolean;
  /** Replicas: before each tick, with every declared model (the owner takes over models it was just given) */
  prepare?: (models: string[]) => Promise<void>;
  /** after the sequential tests took a window (with or without decisions): the moment to persist their state */
  onJudged?: (model: string, windowStart: number) => void | Promise<void>;
  /**
   * How long after its ingestion a row is surely visible (settle.ts); 0 (default) evaluates windows at end + grace
   * whatever is still arriving and never revisits them for late rows.
   */
  settleMs?: number;
  /** how far back late rows make a window due again (default 6 h) */
  lateHorizonMs?: number;
  /**
   * Re-evaluate windows that are marked done but newer than what the sequential tests took (a previous owner died
   * between the mark and saving its state), so the tests skip no window. Replicas turn it on.
   */
  rejudgeMarked?: boolean;
}

/** One model's sequential tests, saved between runs; restored only against the same baseline version. */
export interface JudgeState {
  baselineVersion: string;
  streams: ReturnType<WindowJudge['snapshot']>;
  /** start (epoch ms) of the newest window the tests took; absent in older state */
  through?: number;
  /** windows whose quality still waits for labels (evaluate/labelled.ts); kept across a change of baseline */
  labels?: LabelGateState;
}

export interface TickReport {
  evaluated: WindowEvaluation[];
  reevaluated: WindowEvaluation[];
  /** a model whose run stopped at window `start` (epoch ms; −1 before any window) */
  failed: Array<{ model: string; start: number; error: string }>;
  /** windows whose quality the label gates let go: judged, or unlabelled (their labels never came) */
  labelled: LabelledOutcome[];
}

/** [start, end) cut into up to n slices on whole seconds (ts has second resolution). */
export function timeSlices(start: number, end: number, n: number): Array<[number, number]> {
  const seconds = Math.max(1, Math.floor((end - start) / 1000));
  const count = Math.max(1, Math.min(Math.floor(n), seconds));
  const cuts = Array.from({ length: count + 1 }, (_, i) => (i === count ? end : start + Math.floor((seconds * i) / count) * 1000));
  return cuts.slice(0, -1).map((a, i) => [a, cuts[i + 1]] as [number, number]);
}

/**
 * A label's ingestion time has whole seconds and is set before its batch is stored, so labels of one second can
 * become visible up to about this long after it (group commit, insert retries). Only then is the second settled.
 */
const LABEL_SETTLE_MS = 60_000;

/** ClickHouse refuses longer queries by default (max_query_size 256 KiB); many layouts × many features get there. */
const MAX_QUERY_CHARS = 200_000;

/** The numeric push-down by layout, or by name when listing the layouts would make the query too long. */
function numericSql(w: WindowRange, plan: WindowPlan, final: boolean, layout: FeatureLayout | undefined, segment?: SegmentKeys, fold?: FoldedEstimate | null, extra?: CellReferences['extra']): string {
  const sql = numericCountsSql(w, plan.numeric, final, layout, segment, fold?.fold, extra);
  return sql.length <= MAX_QUERY_CHARS ? sql : numericCountsSql(w, plan.numeric, final, undefined, segment, fold?.fold, extra);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const num = (v: unknown) => Number(v ?? 0);

export class Evaluator {
  private readonly judges = new Map<string, { version: string; judge: WindowJudge; segments?: number }>();
  /** saved test state per model, applied when its judge is first built (restoreJudgeState) */
  private saved: Record<string, JudgeState> = {};
  private running: Promise<TickReport> | null = null;
  /** per model, the newest label ingestion (epoch ms) already matched to windows */
  private readonly labelsChecked = new Map<string, number>();
  private readonly pendingLabelsChecked = new Map<string, number>();
  /** per model, the ingested_at (epoch ms) from which late rows are looked for */
  private readonly lateChecked = new Map<string, number>();
  private readonly pendingLateChecked = new Map<string, number>();
  /** per model, the start of the newest window the sequential tests took */
  private readonly judgedThrough = new Map<string, number>();
  private readonly clock: () => number;
  private readonly layouts: LayoutBook;
  private readonly labelled: LabelledQuality;

  constructor(private readonly o: EvaluatorOptions) {
    this.clock = o.clock ?? Date.now;
    this.layouts = new LayoutBook(o.store);
    this.labelled = new LabelledQuality(o.models, o.policy ?? DEFAULT_POLICY);
  }

  /** Queries and statistics for one window; writes nothing. */
  async compute(model: ModelDeclaration, start: number, end: number): Promise<{ evaluation: WindowEvaluation; plan: WindowPlan; quality: QualityCounts }> {
    const profile = await this.o.baselines.baselineFor(model);
    const whole = planFromBaseline(profile, { dataQuality: this.o.dataQuality });
    const w = { model: model.id, start, end };
    // How to read the window (shape.ts). The checks run before the aggregates, not beside them: on two cores,
    // concurrent scans slow each other more than they overlap (measured: 7.1 s concurrent vs 4.7 s in this order for 10M rows).
    const segmented = segmentFeatures(model, new Set(whole.numeric.map((p) => p.name)));
    const [{ final, layouts, featureLayout, rows: windowRows }, labelled, spec] = await Promise.all([
      this.layouts.shape(w, this.o.maxLayouts ?? MAX_LAYOUTS),
      this.o.store.query<{ n: string }>(labelsPresentSql(w)).then(([l]) => num(l?.n) > 0),
      // per-segment evaluation: the window's top values per segment feature, then every query also counts by segment
      segmented.length ? this.o.store.query<{ dim: string; value: string; c: string }>(segmentSelectionSql(w, segmented, model.segmentTop ?? DEFAULT_SEGMENT_TOP)).then((r) => segmentSpec(segmented, r, model.segmentTop)) : Promise.resolve(null),
    ]);
    const segmentKeys = spec ? { column: segmentColumn(spec), count: spec.count } : undefined;
    const seg = segmentKeys?.column;
    // segments with profiles of their own each on their own splits, looked up by segment and cell (segment-reference.ts),
    // unless that query would be too long; then all segments' splits on one grid (segmentPlan)
    const ownCells = spec ? segmentCellReferences(profile, spec, this.o.dataQuality) : null;
    const cells = ownCells && numericSql(w, ownCells.plan, final, featureLayout, segmentKeys, null, ownCells.extra).length <= MAX_QUERY_CHARS ? ownCells : null;
    // split into segments, the window is counted on a grid whose slots fit one flat table for all of them (plan.ts)
    const plan = cells ? cells.plan : spec ? segmentedPlan(profile, spec.count, (p) => keySpace(keyLayout(p.numeric)), { dataQuality: this.o.dataQuality }) : whole;
    const catSql = categoryCountsSql(w, plan.categorical, final, seg);
    const slices = timeSlices(start, end, final ? (this.o.slices ?? 2) : 1);
    // a large window's reconstruction error over a time sample of it (pca-sample.ts); the scores below then count alone
    const sample = this.pcaSample(w, profile, final, featureLayout, seg, windowRows);
    const scanProfile = sample ? { ...profile, multivariate: null } : profile;
    // the estimates counted by the numeric scan itself (estimate-fold.ts) when that query stays short enough, else apart
    const folding = this.o.foldEstimates ? foldedEstimate(scanProfile, plan.numeric) : null;
    const folded = folding && numericSql(w, plan, final, featureLayout, segmentKeys, folding, cells?.extra).length <= MAX_QUERY_CHARS ? folding : null;
    const est = folded ? { sql: null, profile: scanProfile } : fittingEstimateSql(w, scanProfile, final, featureLayout, MAX_QUERY_CHARS, seg);
    // the profile the estimates are read with: the scan's, with the sample's PCA back
    const estimateProfile = sample ? { ...(est?.profile ?? profile), multivariate: profile.multivariate } : est?.profile ?? null;
    const [scanned, categories, qualityRows, apart, sampled] = await Promise.all([
      plan.numeric.length === 0
        ? Promise.resolve([])
        : Promise.all(slices.map(([a, b]) => this.o.store.query<{ key: string; c: string; v_sum?: string }>(numericSql({ model: model.id, start: a, end: b }, plan, final, featureLayout, segmentKeys, folded, cells?.extra)))).then((parts) => parts.flat()),
      catSql ? this.o.store.query<{ name: string; value: string; c: string }>(catSql) : Promise.resolve([]),
      this.o.store.query<QualityRow>(qualitySql(w, labelled, final, !layouts, seg)),
      // score histogram and reconstruction error (estimate-sql.ts)
      est?.sql ? this.o.store.query<{ bin: string; error_bin: string; c: string; error_sum: string }>(est.sql) : Promise.resolve(null),
      sample ? this.o.store.query<{ bin: string; error_bin: string; c: string; error_sum: string }>(sample) : Promise.resolve(null),
    ]);
    type EstimateRows = ReadonlyArray<{ bin: unknown; error_bin?: unknown; c: unknown; error_sum: unknown }>;
    const { numeric, estimates: counted }: { numeric: typeof scanned; estimates: EstimateRows | null } = folded ? unfold(scanned, folded) : { numeric: scanned, estimates: apart };
    // with a sample, the full window's rows give the scores only (error_bin −1) and the sample's the error
    const estimates: EstimateRows | null = sampled ? [...(counted ?? []).map((r) => ({ ...r, error_bin: -1, error_sum: 0 })), ...sampled] : counted;
    const q = summedQuality(wholeWindow(qualityRows, spec));
    const rows = num(q?.rows);
    // data quality: values of the other kind, counted only where the layouts show some (issue 16)
    const mismatchSql = rows > 0 && this.o.dataQuality !== false && mayHaveTypeMismatches(plan, layouts) ? typeMismatchSql(w, plan, final, seg) : null;
    const mismatched = mismatchSql ? await this.o.store.query<{ name: string; c: string }>(mismatchSql) : [];
    const pushed = { numeric, categories, mismatched, estimates, quality: qualityRows };
    const { features } = windowFeatures(plan, { numeric: wholeWindow(cells ? cells.toModel(numeric) : numeric, spec), categories: wholeWindow(categories, spec), mismatched: wholeWindow(mismatched, spec), estimates: null }, rows);
    const quality = qualityCounts(q);
    // features the traffic carries that the baseline does not know: reported, not evaluated (no reference)
    const known = new Set([...plan.numeric, ...plan.categorical].map((p) => p.name));
    const carried = layouts ? layouts.flatMap((l) => [...l.names.num, ...l.names.cat, ...l.names.missing]) : Array.isArray(q?.feature_names) ? (q.feature_names as string[]) : [];
    const unknownFeatures = [...new Set(carried)].filter((n) => !known.has(n)).sort();
    const evaluation: WindowEvaluation = { model: model.id, start, end, baselineVersion: plan.baselineVersion, rows, features, quality: qualityResult(quality), unknownFeatures, evaluatedAt: this.clock() };
    if (estimateProfile && estimates) evaluation.estimate = windowEstimate(estimateProfile, wholeWindow(estimates, spec), evaluation.quality, Math.floor(start / 1000));
    if (spec) evaluation.segments = segmentEvaluations(spec, plan, pushed, estimateProfile, Math.floor(start / 1000), profile, this.o.dataQuality, cells?.references);
    return { evaluation, plan, quality };
  }

  /** The sampled reconstruction-error query of a window beyond multivariateSampleRows (null: every row, as before). */
  private pcaSample(w: WindowRange, profile: BaselineProfile, final: boolean, layout: FeatureLayout | undefined, seg: string | undefined, rows: number): string | null {
    if (!profile.multivariate) return null;
    const slices = sampleSlices(w.start, w.end, rows, this.o.multivariateSampleRows ?? DEFAULT_MULTIVARIATE_SAMPLE_ROWS);
    if (!slices) return null;
    for (const l of [layout, undefined]) {
      const sql = pcaSampleSql(w, slices, profile, final, l, seg);
      if (sql.length <= MAX_QUERY_CHARS) return sql;
    }
    return null;
  }

  /**
   * Evaluates (or re-evaluates) one window and stores it: all drift_results rows in one insert, then the
   * evaluations mark. Retried as a whole on retryable ClickHouse errors; nothing is written before the statistics exist.
   */
  async evaluateWindow(modelId: string, start: number, end: number, kind: EvaluationKind = 'window'): Promise<WindowEvaluation> {
    const model = this.o.models.get(modelId);
    if (!model) throw new RangeError(`model "${modelId}" is not declared`);
    const attempts = this.o.attempts ?? 3;
    const began = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const { evaluation, plan, quality } = await this.compute(model, start, end);
        await this.o.store.insert('drift_results', driftResultRows(evaluation) as unknown as Record<string, unknown>[]);
        await this.o.store.insert('evaluations', [evaluationRow(evaluation) as unknown as Record<string, unknown>]);
        this.observe(evaluation, kind, (performance.now() - began) / 1000);
        // The sequential tests see each window once; a re-evaluation for late labels or rows only updates results.
        // replicas: a window the tests already took (a re-evaluation after a takeover) is not taken twice
        const taken = this.o.rejudgeMarked === true && start <= (this.judgedThrough.get(modelId) ?? -Infinity);
        if (kind === 'window' && this.o.judge !== false && !taken && this.owns(modelId)) {
          try {
            await this.judge(model, plan, evaluation, quality);
          } catch (error) {
            this.o.onPolicyError?.(error, evaluation);
          }
          this.judgedThrough.set(modelId, Math.max(start, this.judgedThrough.get(modelId) ?? -Infinity));
          await this.o.onJudged?.(modelId, start);
        } else if (kind !== 'window' && this.o.judge !== false && this.owns(modelId)) {
          // late labels: the window's quality waits in the label gate with its new counts (released in runTick)
          this.labelled.relabel(windowSummary(plan, start, end, evaluation.rows, evaluation.features, quality));
        }
        return evaluation;
      } catch (error) {
        // only ClickHouse being unavailable or slow is worth another try; bad SQL, data or baselines are not
        const retryable = error instanceof StoreError && error.retryable;
        if (!retryable || attempt >= attempts) {
          this.o.metrics?.evaluations.inc({ model: modelId, kind, outcome: 'failed' });
          throw error;
        }
        await sleep((this.o.retryDelayMs ?? 1000) * 2 ** (attempt - 1));
      }
    }
  }

  private async judge(model: ModelDeclaration, plan: WindowPlan, e: WindowEvaluation, quality: QualityCounts): Promise<JudgedWindow | undefined> {
    if (e.rows === 0) return undefined;
    const entry = await this.judgeOf(model, plan.baselineVersion);
    const summary = withMultivariateCounts(windowSummary(plan, e.start, e.end, e.rows, e.features, quality), e.estimate);
    // the inputs now; the quality once its labels have landed (evaluate/labelled.ts)
    const judged = entry.judge.judge(summary, partsAtClose(entry.judge, model.id));
    this.labelled.offer(entry.judge, summary);
    judged.decisions.push(...judgeSegments(entry.judge, plan, e, await this.o.baselines.baselineFor(model)));
    if (judged.decisions.length && this.o.onDecisions) await this.o.onDecisions(judged.decisions);
    return judged;
  }

  /** Lets go the windows whose labels have landed (or whose horizon passed) and feeds their quality to the tests. */
  private async releaseLabelled(model: ModelDeclaration, now: number, report: TickReport): Promise<void> {
    if (this.o.judge === false || !this.owns(model.id) || !this.labelled.due(model.id, now)) return;
    const { version } = await this.o.baselines.baselineFor(model);
    const entry = await this.judgeOf(model, version);
    const { judged, outcomes } = this.labelled.release(entry.judge, model.id, now);
    report.labelled.push(...outcomes);
    for (const o of outcomes) this.o.metrics?.labelledWindows.inc({ model: model.id, outcome: o.outcome });
    try {
      if (judged.decisions.length && this.o.onDecisions) await this.o.onDecisions(judged.decisions);
    } finally {
      await this.o.onJudged?.(model.id, this.judgedThrough.get(model.id) ?? -1);
    }
  }

  private async judgeOf(model: ModelDeclaration, baselineVersion: string): Promise<{ version: string; judge: WindowJudge; segments?: number }> {
    let entry = this.judges.get(model.id);
    // a model redeclared with other segments splits the budget anew
    if (!entry || entry.version !== baselineVersion || entry.segments !== segmentStreams(model)) {
      const profile = await this.o.baselines.baselineFor(model);
      const reference = withMultivariateStream(referenceFromProfile(profile), profile);
      const judge = new WindowJudge(new Map([[model.id, reference]]), this.o.policy ?? DEFAULT_POLICY, model.windowMs, new Map([[model.id, segmentStreams(model)]]));
      // a saved state continues only against the baseline it was built on
      const saved = this.saved[model.id];
      if (saved && saved.baselineVersion === baselineVersion) judge.restore(saved.streams);
      // only the segments changed: the streams go on with their evidence, under the new split of the budget
      else if (entry && entry.version === baselineVersion) judge.restore(entry.judge.snapshot());
      delete this.saved[model.id];
      entry = { version: baselineVersion, judge, segments: segmentStreams(model) };
      this.judges.set(model.id, entry);
    }
    return entry;
  }

  private owns(model: string): boolean {
    return this.o.owns?.(model) ?? true;
  }

  private observe(e: WindowEvaluation, kind: EvaluationKind, seconds: number): void {
    const m = this.o.metrics;
    if (!m) return;
    m.seconds.observe({ kind }, seconds);
    m.evaluations.inc({ model: e.model, kind, outcome: e.rows === 0 ? 'empty' : 'ok' });
    m.windowRows.set({ model: e.model }, e.rows);
    if (kind === 'window') m.lastWindowEnd.set({ model: e.model }, e.end / 1000);
    for (const f of e.features) {
      const labels = { model: e.model, feature: f.feature };
      if (f.psi !== null) m.psi.set(labels, f.psi);
      if (f.ksStatistic !== null) m.ksStatistic.set(labels, f.ksStatistic);
      if (f.jsDistance !== null) m.jsDistance.set(labels, f.jsDistance);
      if (f.missingRate !== null) m.missingRatio.set(labels, f.missingRate);
      observeQuality(m, labels, f);
    }
    if (e.quality.accuracy !== null) m.accuracy.set({ model: e.model }, e.quality.accuracy);
    if (e.quality.labelCoverage !== null) m.labelCoverage.set({ model: e.model }, e.quality.labelCoverage);
    if (m.estimate && e.estimate) observeEstimate(m.estimate, e.model, e.estimate);
    observeSegments(m, e);
  }

  /**
   * Window starts (epoch ms) of `model` that are closed at `now` and have no evaluation yet, oldest first: from the
   * model's first prediction (at most maxCatchUpMs back), gaps included, so a backfill of later windows never
   * makes the service skip earlier ones.
   */
  async dueWindows(model: ModelDeclaration, now: number): Promise<number[]> {
    const w = model.windowMs;
    const lastClosedEnd = Math.floor((now - model.graceMs) / w) * w;
    const since = Math.floor((now - (this.o.maxCatchUpMs ?? 7 * 86_400_000)) / w) * w;
    const [[first], done] = await Promise.all([
      this.o.store.query<{ first: string; n: string }>(firstPredictionSql(model.id, since)),
      this.o.store.query<{ start: string }>(
        `SELECT DISTINCT toUInt32(window_start) AS start FROM evaluations WHERE model = ${sqlString(model.id)} AND window_start >= ${sqlDateTime(since)}`,
      ),
    ]);
    const evaluated = new Set(done.map((d) => num(d.start) * 1000));
    // with no prediction in the catch-up span, only a model already being evaluated goes on (with empty windows)
    const from = num(first?.n) > 0 ? Math.floor((num(first.first) * 1000) / w) * w : evaluated.size > 0 ? Math.min(...evaluated) : Infinity;
    const through = this.o.rejudgeMarked ? this.judgedThrough.get(model.id) : undefined;
    const out: number[] = [];
    for (let s = from; s + w <= lastClosedEnd && out.length < (this.o.maxWindowsPerTick ?? 100); s += w) {
      if (!evaluated.has(s) || (through !== undefined && s > through)) out.push(s);
    }
    return this.settled(model, out, now);
  }

  /** The due windows up to the first one whose rows are still arriving (settle.ts); all of them without settleMs. */
  private async settled(model: ModelDeclaration, starts: number[], now: number): Promise<number[]> {
    const settle = this.o.settleMs ?? 0;
    if (settle <= 0 || starts.length === 0) return starts;
    const rows = await this.o.store.query<{ window_start: string; at: string }>(ingestionByWindowSql(model.id, model.windowMs, starts[0], starts[starts.length - 1] + model.windowMs));
    const newest = new Map(rows.map((r) => [num(r.window_start) * 1000, num(r.at) * 1000]));
    return starts.slice(0, unsettledFrom(starts, newest, now, settle));
  }

  /** Evaluated windows (within lateHorizonMs) holding rows ingested after their evaluation could see them. */
  async lateWindows(model: ModelDeclaration, now: number): Promise<number[]> {
    const settle = this.o.settleMs ?? 0;
    if (settle <= 0) return [];
    const w = model.windowMs;
    const since = Math.floor((now - (this.o.lateHorizonMs ?? 6 * 3_600_000)) / w) * w;
    const checked = this.lateChecked.get(model.id) ?? since;
    const [arrivals, marks] = await Promise.all([
      this.o.store.query<{ window_start: string; at: string }>(ingestionByWindowSql(model.id, w, since, now, checked)),
      this.o.store.query<{ window_start: string; evaluated_at_ms: string }>(
        `SELECT toUInt32(window_start) AS window_start, toString(max(evaluated_at_ms)) AS evaluated_at_ms FROM evaluations
         WHERE model = ${sqlString(model.id)} AND window_start >= ${sqlDateTime(since)} GROUP BY window_start`,
      ),
    ]);
    const evaluatedAt = new Map(marks.map((m) => [num(m.window_start) * 1000, num(m.evaluated_at_ms)]));
    // rows ingested before now − settle are all visible now: the next look starts there (remembered once done)
    this.pendingLateChecked.set(model.id, Math.floor((now - settle) / 1000) * 1000);
    return arrivals
      .map((a) => ({ start: num(a.window_start) * 1000, at: num(a.at) * 1000 }))
      // still arriving: revisited once it settled (the next look still sees these rows), so it is revisited once
      .filter((a) => evaluatedAt.has(a.start) && unseenBy(a.at, evaluatedAt.get(a.start)!, settle) && unsettledFrom([a.start], new Map([[a.start, a.at]]), now, settle) === 1)
      .map((a) => a.start)
      .sort((a, b) => a - b);
  }

  /**
   * Window starts whose predictions got labels after the window's last evaluation, within the label horizon. The
   * join with predictions runs only when labels arrived since the previous check, and only over those labels.
   */
  async relabelledWindows(model: ModelDeclaration, now: number): Promise<number[]> {
    const w = model.windowMs;
    const [newest] = await this.o.store.query<{ at: string; n: string }>(newestLabelSql(model.id));
    const newestAt = num(newest?.n) > 0 ? num(newest.at) * 1000 : 0;
    const checked = this.labelsChecked.get(model.id);
    if (newestAt === 0 || (checked !== undefined && newestAt <= checked)) return [];
    // a second of label ingestion counts as seen only once it has settled (see LABEL_SETTLE_MS)
    const settled = now - 1000 - LABEL_SETTLE_MS;
    const since = Math.floor((now - model.labelHorizonMs - w) / w) * w;
    const [arrivals, marks] = await Promise.all([
      // labels ingested in the second of the previous check are looked at again: ingested_at has second resolution
      this.o.store.query<{ window_start: string; labels_at: string }>(labelArrivalsSql(model.id, w, since, now, checked ?? 0)),
      this.o.store.query<{ window_start: string; labels_at: string; evaluated_at_ms: string; status: string }>(
        `SELECT toUInt32(window_start) AS window_start, toUInt32(labels_at) AS labels_at, evaluated_at_ms, status FROM evaluations FINAL
         WHERE model = ${sqlString(model.id)} AND window_start >= ${sqlDateTime(since)}`,
      ),
    ]);
    // a window ClickHouse refused to evaluate (status failed) is not tried again for its labels
    const seen = new Map(marks.filter((m) => m.status !== 'failed').map((m) => [num(m.window_start) * 1000, { at: num(m.labels_at) * 1000, evaluatedAt: num(m.evaluated_at_ms) }]));
    const due = arrivals
      .map((a) => ({ start: num(a.window_start) * 1000, at: num(a.labels_at) * 1000 }))
      .filter((a) => {
        const mark = seen.get(a.start);
        if (!mark || a.start + w + model.labelHorizonMs <= now) return false;
        if (a.at > mark.at) return true;
        // same newest second as the evaluation saw: labels of that second stored after the evaluation ran would
        // not show in the time, so the window is looked at once more after the second settled
        return a.at === mark.at && mark.evaluatedAt < a.at + 1000 + LABEL_SETTLE_MS && a.at <= settled;
      })
      .map((a) => a.start)
      .sort((a, b) => a - b);
    // remembered only once every due window is re-evaluated (runTick stops at a failure, so they are checked again)
    this.pendingLabelsChecked.set(model.id, Math.min(newestAt, settled));
    return due;
  }

  /**
   * Evaluates every due window of every model, oldest first (a failure stops that model's run so no window is
   * skipped), then re-evaluates windows with new labels. Ticks never overlap: a second call waits for the first.
   */
  async tick(now: number): Promise<TickReport> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.runTick(now);
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async runTick(now: number): Promise<TickReport> {
    const report: TickReport = { evaluated: [], reevaluated: [], failed: [], labelled: [] };
    await this.o.prepare?.(this.o.models.list().map((m) => m.id));
    for (const model of this.o.models.list()) {
      let at = -1;
      if (!this.owns(model.id)) continue; // another replica evaluates it
      try {
        for (const start of await this.dueWindows(model, now)) {
          if (!this.owns(model.id)) break; // ownership moved mid-tick: the new owner goes on from here
          at = start;
          const e = await this.orGiveUp(model, start, 'window', report);
          if (e) report.evaluated.push(e);
        }
        at = -1;
        const relabelled = await this.relabelledWindows(model, now);
        const late = await this.lateWindows(model, now);
        for (const start of [...new Set([...relabelled, ...late])].sort((a, b) => a - b)) {
          if (!this.owns(model.id)) break;
          at = start;
          const e = await this.orGiveUp(model, start, relabelled.includes(start) ? 'labels' : 'late', report);
          if (e) report.reevaluated.push(e);
        }
        at = -1;
        await this.releaseLabelled(model, now, report);
        this.o.metrics?.awaitingLabels.set({ model: model.id }, this.labelled.waiting(model.id));
        const checked = this.pendingLabelsChecked.get(model.id);
        if (checked !== undefined) this.labelsChecked.set(model.id, checked);
        const lateChecked = this.pendingLateChecked.get(model.id);
        if (lateChecked !== undefined) this.lateChecked.set(model.id, lateChecked);
      } catch (error) {
        report.failed.push({ model: model.id, start: at, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return report;
  }

  /**
   * evaluateWindow, except that an error retrying cannot cure (ClickHouse refused the SQL itself) is reported and
   * recorded (a `failed` evaluations mark for a new window) and the model goes on with its next window; anything
   * else stops the model's run, so that window is tried again next tick.
   */
  private async orGiveUp(model: ModelDeclaration, start: number, kind: EvaluationKind, report: TickReport): Promise<WindowEvaluation | undefined> {
    try {
      return await this.evaluateWindow(model.id, start, start + model.windowMs, kind);
    } catch (error) {
      if (!(error instanceof StoreError) || error.retryable) throw error;
      report.failed.push({ model: model.id, start, error: error.message });
      if (kind === 'window') await this.o.store.insert('evaluations', [failedEvaluationRow(model.id, start, start + model.windowMs, this.clock()) as unknown as Record<string, unknown>]);
      return undefined;
    }
  }

  /** Continues the sequential tests from judgeState() saved by an earlier process (before the first tick). */
  restoreJudgeState(state: Record<string, JudgeState>): this {
    this.saved = { ...state };
    for (const [model, st] of Object.entries(state)) {
      if (st.through !== undefined) this.judgedThrough.set(model, st.through);
      this.labelled.restore(model, st.labels);
    }
    return this;
  }

  /** Replicas: continue one model's tests from the state its previous owner stored (none: start over). */
  adoptJudgeState(model: string, state: JudgeState | undefined): void {
    this.forgetModel(model);
    if (!state) return;
    this.saved[model] = state;
    if (state.through !== undefined) this.judgedThrough.set(model, state.through);
    this.labelled.restore(model, state.labels);
  }

  /** Replicas: drop one model's tests and watermarks (another replica owns it now). */
  forgetModel(model: string): void {
    this.judges.delete(model);
    delete this.saved[model];
    this.judgedThrough.delete(model);
    this.labelled.forget(model);
    this.o.metrics?.segmentSeries.forget(model); // its segments' gauges are the new owner's to export
    for (const m of [this.labelsChecked, this.pendingLabelsChecked, this.lateChecked, this.pendingLateChecked]) m.delete(model);
  }

  /** One model's sequential-test state (what its owner stores). */
  judgeStateOf(model: string): JudgeState | undefined {
    return this.judgeState()[model];
  }

  /** Sequential-test state of every model, to persist across restarts (WindowJudge.snapshot). */
  judgeState(): Record<string, JudgeState> {
    // Restored state not yet applied (its model has not been evaluated since the restart) is kept, not lost.
    const pending = Object.entries(this.saved).filter(([model]) => !this.judges.has(model));
    const through = (model: string) => {
      const t = this.judgedThrough.get(model);
      const labels = this.labelled.snapshot(model);
      return { ...(t === undefined ? {} : { through: t }), ...(labels ? { labels } : {}) };
    };
    return Object.fromEntries([
      ...pending.map(([model, st]) => [model, { ...st, ...through(model) }] as const),
      ...[...this.judges].map(([model, e]) => [model, { baselineVersion: e.version, streams: e.judge.snapshot(), ...through(model) }] as const),
    ]);
  }
}
