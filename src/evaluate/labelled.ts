// Label-driven scheduling of the quality tests in the live evaluator: each model's label gate (detect/label-gate.ts)
// takes a window's label counts at its first evaluation and at every re-evaluation for late labels; once per tick the
// windows it releases go through the metric-drop tests, in window order. The gates are part of the model's saved test
// state, so a restart or a new owner neither judges a window twice nor forgets one that still waits for labels.
import type { LabelGateState, LabelRelease } from '../detect/label-gate.js';
import { LabelGates, gateOptions, judgeReleased, labelledWindow, type AlertPolicy, type JudgedWindow, type WindowJudge, type WindowSummary } from '../replay/index.js';
import type { ModelRegistry } from './models.js';

/** A window the gate let go this tick: judged (with why) or unlabelled (its labels never came). */
export interface LabelledOutcome {
  model: string;
  start: number;
  outcome: LabelRelease['outcome'];
  why: LabelRelease['why'];
  /** share of its predictions labelled when it was let go */
  coverage: number;
}

export class LabelledQuality {
  private readonly gates: LabelGates;
  /** restored state not applied yet (its gate is built when the model is next evaluated) */
  private readonly saved = new Map<string, LabelGateState>();

  constructor(models: ModelRegistry, policy: AlertPolicy) {
    this.gates = new LabelGates((id) => {
      const m = models.get(id);
      if (!m) throw new RangeError(`model "${id}" is not declared`);
      return gateOptions(m, policy);
    });
  }

  /** A window's first evaluation: its label counts join the queue (only for a model whose quality is tested). */
  offer(judge: WindowJudge, w: WindowSummary): void {
    if (judge.hasQuality(w.model)) this.gate(w.model).offer(labelledWindow(w));
  }

  /** A re-evaluation for late labels: new counts for a window still waiting. */
  relabel(w: WindowSummary): void {
    if (this.known(w.model)) this.gate(w.model).relabel(labelledWindow(w));
  }

  due(model: string, now: number): boolean {
    return this.known(model) && this.gate(model).due(now);
  }

  private known(model: string): boolean {
    return this.gates.has(model) || this.saved.has(model);
  }

  private gate(model: string) {
    const saved = this.saved.get(model);
    this.saved.delete(model);
    const g = this.gates.of(model);
    if (saved) g.restore(saved);
    return g;
  }

  /** Lets go what is ready at `now` and judges it. */
  release(judge: WindowJudge, model: string, now: number): { judged: JudgedWindow; outcomes: LabelledOutcome[] } {
    const released = this.gate(model).release(now);
    const outcomes = released.map((r) => ({ model, start: r.window.start, outcome: r.outcome, why: r.why, coverage: r.window.rows > 0 ? r.window.labelled / r.window.rows : 0 }));
    return { judged: judgeReleased(judge, model, released), outcomes };
  }

  /** Windows of the model still waiting for labels. */
  waiting(model: string): number {
    return this.snapshot(model)?.pending.length ?? 0;
  }

  snapshot(model: string): LabelGateState | undefined {
    return this.saved.get(model) ?? (this.gates.has(model) ? this.gates.of(model).snapshot() : undefined);
  }

  restore(model: string, state: LabelGateState | undefined): void {
    this.forget(model);
    if (state) this.saved.set(model, structuredClone(state));
  }

  forget(model: string): void {
    this.gates.delete(model);
    this.saved.delete(model);
  }
}
