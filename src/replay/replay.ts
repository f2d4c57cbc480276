// Replay: a recorded stream of prediction messages through windowing, statistics, the sequential tests and
// the alert lifecycle, offline — "what would this policy have paged last month?"
import { AlertBook } from '../alerting/lifecycle.js';
import { AlertDispatch } from '../alerting/dispatch.js';
import { MemoryAlertEventStore } from '../alerting/events.js';
import type { AlertEvent } from '../alerting/alert.js';
import { InputError, type Prediction } from '../domain/index.js';
import { toRfc3339 } from '../domain/time.js';
import { decodePrediction } from '../ingest/decode.js';
import { WindowJudge, type StreamResult } from './judge.js';
import type { AlertPolicy } from './policy.js';
import type { ModelReference } from './reference.js';
import { StreamWindows, type WindowSummary } from './windows.js';

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
}

export interface ReplayOptions {
  references: Map<string, ModelReference>;
  policy: AlertPolicy;
  windowMs: number;
  /** called per closed window with every stream's statistic (for --json details or drift_results) */
  onWindow?: (w: WindowSummary, results: StreamResult[]) => void;
  onEvent?: (e: AlertEvent) => void;
}

export function replayLine(e: AlertEvent): ReplayLine {
  return { status: e.status === 'resolved' ? 'resolved' : 'firing', model: e.model, feature: e.feature, at: toRfc3339(e.at), statistic: e.statistic, value: e.value, reason: e.reason };
}

/** Runs predictions (ordered by timestamp) through the same windows, tests and lifecycle as the service. */
export class Replay {
  readonly windows: StreamWindows;
  readonly judge: WindowJudge;
  readonly dispatch: AlertDispatch;
  private readonly store = new MemoryAlertEventStore();
  private messages = 0;
  private closed = 0;

  constructor(private readonly options: ReplayOptions) {
    this.windows = new StreamWindows(options.references, options.windowMs);
    this.judge = new WindowJudge(options.references, options.policy, options.windowMs);
    this.dispatch = new AlertDispatch({ book: new AlertBook(), events: this.store, outbox: null });
  }

  async add(p: Prediction): Promise<void> {
    this.messages += 1;
    await this.close(this.windows.add(p));
  }

  private async close(windows: WindowSummary[]): Promise<void> {
    for (const w of windows) {
      this.closed += 1;
      const judged = this.judge.judge(w);
      this.options.onWindow?.(w, judged.results);
      const events = await this.dispatch.decide(judged.decisions, w.end);
      for (const e of events) this.options.onEvent?.(e);
    }
  }

  async finish(): Promise<ReplaySummary> {
    await this.close(this.windows.flush());
    return { messages: this.messages, windows: this.closed, late: this.windows.late, unknownModel: this.windows.unknownModel, arl0: this.judge.arl0, streams: this.judge.streams, events: this.store.events };
  }
}

/** Replays JSON Lines; a line that is not a valid prediction stops the run with its line number. */
export async function replayJsonLines(lines: AsyncIterable<string> | Iterable<string>, options: ReplayOptions): Promise<ReplaySummary> {
  const replay = new Replay(options);
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (!line.trim()) continue;
    let p: Prediction;
    try {
      p = decodePrediction(JSON.parse(line));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new InputError(`line ${n}: ${error instanceof SyntaxError ? `not JSON (${message})` : message}`);
    }
    await replay.add(p);
  }
  return replay.finish();
}
