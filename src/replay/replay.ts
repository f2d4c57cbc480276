// Replay: a recorded stream of prediction messages through windowing, statistics, the sequential tests and
// the alert lifecycle, offline — "what would this policy have paged last month?"
import { AlertBook } from '../alerting/lifecycle.js';
import { AlertDispatch } from '../alerting/dispatch.js';
import { MemoryAlertEventStore } from '../alerting/events.js';
import type { AlertEvent } from '../alerting/alert.js';
import type { LabelledWindow } from '../detect/label-gate.js';
import { InputError, type LabelEvent, type Prediction } from '../domain/index.js';
import { toRfc3339 } from '../domain/time.js';
import { decodeLabel, decodePrediction } from '../ingest/decode.js';
import { WindowJudge, type StreamResult } from './judge.js';
import { LabelGates, gateOptions, judgeReleased, labelledWindow, partsAtClose, type LabelExpectation } from './labelled.js';
import type { AlertPolicy } from './policy.js';
import { isCorrect, type ModelReference } from './reference.js';
import { StreamWindows, windowStart, type WindowSummary } from './windows.js';

/** One line of `driftwatch replay` output. */
export interface ReplayLine {
  status: 'firing' | 'resolved';
  model: string;
  feature: string;
  at: string;
  statistic: string;
  value: number;
  reason: string;
}

export interface ReplaySummary {
  messages: number;
  windows: number;
  late: number;
  unknownModel: number;
  arl0: number;
  streams: number;
  events: AlertEvent[];
  /** quality of windows: judged once labelled, unlabelled at the horizon, or judged at the end of the recording */
  labels: { applied: number; unmatched: number; judged: number; unlabelled: number; judgedAtEnd: number };
}

export interface ReplayOptions {
  references: Map<string, ModelReference>;
  policy: AlertPolicy;
  windowMs: number;
  /** called per closed window with every stream's statistic (for --json details or drift_results) */
  onWindow?: (w: WindowSummary, results: StreamResult[]) => void;
  onEvent?: (e: AlertEvent) => void;
  /** label coverage to wait for and the label horizon, as a model declares them (default: 0.9 and 7 days) */
  labels?: LabelExpectation;
}

const DEFAULT_LABELS: LabelExpectation = { labelHorizonMs: 7 * 86_400_000 };
const key = (model: string, id: string) => `${model}\u0000${id}`;

export function replayLine(e: AlertEvent): ReplayLine {
  return { status: e.status === 'resolved' ? 'resolved' : 'firing', model: e.model, feature: e.feature, at: toRfc3339(e.at), statistic: e.statistic, value: e.value, reason: e.reason };
}

/**
 * Runs predictions (ordered by timestamp) through the same windows, tests and lifecycle as the service. A window's
 * inputs are judged when the stream passes its end; its quality waits in the label gate (replay/labelled.ts) for
 * the labels in the messages and those given to addLabel (a labels stream, by arrival time), as the service waits.
 */
export class Replay {
  readonly windows: StreamWindows;
  readonly judge: WindowJudge;
  readonly dispatch: AlertDispatch;
  private readonly store = new MemoryAlertEventStore();
  private readonly gates: LabelGates;
  private messages = 0;
  private closed = 0;
  /** the replay's clock: the newest prediction or label time seen */
  private now = -Infinity;
  /** predictions a label may still come for: model + id → window and prediction */
  private readonly awaiting = new Map<string, { start: number; prediction: Prediction['prediction'] }>();
  /** labels for a window from the labels stream, and the label counts of closed windows */
  private readonly extra = new Map<string, { labelled: number; correct: number }>();
  private readonly closedCounts = new Map<string, LabelledWindow>();
  /** labels that arrived before their prediction */
  private readonly early = new Map<string, LabelEvent>();
  private readonly labelCounts = { applied: 0, unmatched: 0, judged: 0, unlabelled: 0, judgedAtEnd: 0 };

  constructor(private readonly options: ReplayOptions) {
    this.windows = new StreamWindows(options.references, options.windowMs);
    this.judge = new WindowJudge(options.references, options.policy, options.windowMs);
    this.dispatch = new AlertDispatch({ book: new AlertBook(), events: this.store, outbox: null });
    this.gates = new LabelGates(() => gateOptions(options.labels ?? DEFAULT_LABELS, options.policy));
  }

  /** The replay's clock: the newest prediction or label time given so far (when a decision made now was made). */
  get clock(): number {
    return this.now;
  }

  async add(p: Prediction): Promise<void> {
    this.messages += 1;
    await this.advance(p.timestamp);
    const closed = this.windows.add(p);
    if (this.options.references.has(p.model) && p.label === null) {
      const k = key(p.model, p.predictionId);
      const start = windowStart(p.timestamp, this.options.windowMs);
      const early = this.early.get(k);
      if (early) {
        this.early.delete(k);
        this.count(p.model, start, p.prediction, early.label);
      } else this.awaiting.set(k, { start, prediction: p.prediction });
    }
    await this.close(closed);
  }

  /** A label from the labels stream, at its arrival time (labels must be given in that order, after the predictions before it). */
  async addLabel(l: LabelEvent): Promise<void> {
    await this.advance(l.timestamp);
    const k = key(l.model, l.predictionId);
    const p = this.awaiting.get(k);
    if (!p) {
      // its prediction may be later in the stream (or never come); a prediction labels once
      if (this.options.references.has(l.model)) this.early.set(k, l);
      return;
    }
    this.awaiting.delete(k);
    this.count(l.model, p.start, p.prediction, l.label);
    const w = this.closedCounts.get(key(l.model, String(p.start)));
    if (w) this.gates.of(l.model).relabel(w);
    await this.releaseDue();
  }

  private count(model: string, start: number, prediction: Prediction['prediction'], label: LabelEvent['label']): void {
    const ok = isCorrect(prediction, label);
    if (ok === null) return;
    this.labelCounts.applied += 1;
    const wk = key(model, String(start));
    const e = this.extra.get(wk) ?? { labelled: 0, correct: 0 };
    e.labelled += 1;
    if (ok) e.correct += 1;
    this.extra.set(wk, e);
    const closed = this.closedCounts.get(wk);
    if (closed) this.closedCounts.set(wk, { ...closed, labelled: closed.labelled + 1, correct: closed.correct + (ok ? 1 : 0) });
  }

  private async advance(time: number): Promise<void> {
    if (time > this.now) this.now = time;
    await this.releaseDue();
  }

  private async close(windows: WindowSummary[]): Promise<void> {
    for (const w of windows) {
      this.closed += 1;
      const judged = this.judge.judge(w, partsAtClose(this.judge, w.model));
      this.options.onWindow?.(w, judged.results);
      await this.publish(judged.decisions, w.end);
      if (this.judge.hasQuality(w.model) && w.rows > 0) {
        const wk = key(w.model, String(w.start));
        const extra = this.extra.get(wk) ?? { labelled: 0, correct: 0 };
        this.extra.delete(wk);
        const counts = { ...labelledWindow(w), labelled: w.labeled + extra.labelled, correct: w.correct + extra.correct };
        this.closedCounts.set(wk, counts);
        this.gates.of(w.model).offer(counts);
      }
    }
    await this.releaseDue();
  }

  private async publish(decisions: Parameters<AlertDispatch['decide']>[0], at: number): Promise<void> {
    const events = await this.dispatch.decide(decisions, at);
    for (const e of events) this.options.onEvent?.(e);
  }

  /** Judges the quality of every window its gate lets go at the replay's clock (or all, at the end of the recording). */
  private async releaseDue(end = false): Promise<void> {
    for (const model of this.gates.models()) {
      const gate = this.gates.of(model);
      if (!end && !gate.due(this.now)) continue;
      const released = end ? gate.flush() : gate.release(this.now);
      for (const r of released) {
        this.closedCounts.delete(key(model, String(r.window.start)));
        if (r.outcome === 'unlabelled') this.labelCounts.unlabelled += 1;
        else if (end && r.window.end + gate.options.horizonMs > this.now && r.why === 'horizon') this.labelCounts.judgedAtEnd += 1;
        else this.labelCounts.judged += 1;
      }
      const judged = judgeReleased(this.judge, model, released);
      await this.publish(judged.decisions, end ? Math.max(this.now, ...released.map((r) => r.window.end)) : this.now);
    }
  }

  async finish(): Promise<ReplaySummary> {
    await this.close(this.windows.flush());
    // the recording ended: a window still waiting is decided with the labels it has (the service would wait on)
    await this.releaseDue(true);
    this.labelCounts.unmatched = this.early.size;
    return {
      messages: this.messages, windows: this.closed, late: this.windows.late, unknownModel: this.windows.unknownModel, arl0: this.judge.arl0, streams: this.judge.streams,
      events: this.store.events, labels: { ...this.labelCounts },
    };
  }
}

function decodeLine<T>(line: string, n: number, what: string, decode: (v: unknown) => T): T {
  try {
    return decode(JSON.parse(line));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(`${what} ${n}: ${error instanceof SyntaxError ? `not JSON (${message})` : message}`);
  }
}

/** Reads a labels stream (JSON Lines of label messages) in arrival order: by timestamp, ties in file order. */
export async function readLabelLines(lines: AsyncIterable<string> | Iterable<string>): Promise<LabelEvent[]> {
  const out: LabelEvent[] = [];
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim()) out.push(decodeLine(line, n, 'labels line', (v) => decodeLabel(v)));
  }
  return out.map((l, i) => ({ l, i })).sort((a, b) => a.l.timestamp - b.l.timestamp || a.i - b.i).map((x) => x.l);
}

/**
 * Replays JSON Lines of predictions (ordered by timestamp); with `labels` (label messages, their timestamp the
 * arrival time), each label reaches its window when the merged streams reach that time. A line that is not a valid
 * message stops the run with its line number.
 */
export async function replayJsonLines(lines: AsyncIterable<string> | Iterable<string>, options: ReplayOptions, labels: readonly LabelEvent[] = []): Promise<ReplaySummary> {
  const replay = new Replay(options);
  let n = 0;
  let next = 0;
  for await (const line of lines) {
    n += 1;
    if (!line.trim()) continue;
    const p = decodeLine(line, n, 'line', (v) => decodePrediction(v));
    // a label arriving in the same millisecond as a prediction comes after it
    while (next < labels.length && labels[next].timestamp < p.timestamp) await replay.addLabel(labels[next++]);
    await replay.add(p);
  }
  while (next < labels.length) await replay.addLabel(labels[next++]);
  return replay.finish();
}
