// The quality half of the detection policy, shared by replay and the live evaluator: a window's inputs are judged
// when it closes; its quality waits in the model's label gate (detect/label-gate.ts) and enters the metric-drop tests
// once its labels have landed, in window order. Both paths call these functions, so a backtest decides as the service does.
import { DEFAULT_LABEL_COVERAGE, LabelGate, type LabelGateOptions, type LabelRelease, type LabelledWindow } from '../detect/label-gate.js';
import { INPUTS_ONLY, QUALITY_ONLY, type JudgedParts, type JudgedWindow, type WindowJudge } from './judge.js';
import type { AlertPolicy } from './policy.js';
import type { WindowSummary } from './windows.js';

/** What a model declares about its labels (evaluate/models.ts): the coverage to wait for, and for how long at most. */
export interface LabelExpectation {
  labelCoverage?: number;
  labelHorizonMs: number;
}

export function gateOptions(model: LabelExpectation, policy: AlertPolicy): LabelGateOptions {
  return { coverage: model.labelCoverage ?? DEFAULT_LABEL_COVERAGE, horizonMs: model.labelHorizonMs, minLabelled: policy.minRows };
}

/** A window's label counts, as the gate keeps them. */
export function labelledWindow(w: WindowSummary): LabelledWindow {
  return { start: w.start, end: w.end, rows: w.rows, labelled: w.labeled, correct: w.correct };
}

/** The streams to judge when a window closes: its inputs only when its quality waits for labels. */
export function partsAtClose(judge: WindowJudge, model: string): JudgedParts | undefined {
  return judge.hasQuality(model) ? INPUTS_ONLY : undefined;
}

/** Judges the quality of the windows a gate released (in their order); unlabelled ones are only reported. */
export function judgeReleased(judge: WindowJudge, model: string, released: readonly LabelRelease[]): JudgedWindow {
  const out: JudgedWindow = { results: [], decisions: [] };
  for (const r of released) {
    if (r.outcome !== 'judged') continue;
    const { start, end, rows, labelled, correct } = r.window;
    const judged = judge.judge({ model, start, end, rows, features: {}, labeled: labelled, correct }, QUALITY_ONLY);
    out.results.push(...judged.results);
    out.decisions.push(...judged.decisions);
  }
  return out;
}

/** One gate per model, made on first use. */
export class LabelGates {
  private readonly gates = new Map<string, LabelGate>();

  constructor(private readonly options: (model: string) => LabelGateOptions) {}

  of(model: string): LabelGate {
    let g = this.gates.get(model);
    if (!g) {
      g = new LabelGate(this.options(model));
      this.gates.set(model, g);
    }
    return g;
  }

  has(model: string): boolean {
    return this.gates.has(model);
  }

  delete(model: string): void {
    this.gates.delete(model);
  }

  models(): string[] {
    return [...this.gates.keys()];
  }
}
