// When a window's quality may enter the metric-drop tests: once its labels have landed — at a label-coverage
// threshold or at the label horizon, whichever comes first — exactly once, and in window order. A window whose
// labels are complete waits for every earlier one (until that one is complete too or reaches its horizon), so the
// sequential tests see windows in the order they happened however the labels arrive. A window that reaches its
// horizon with too few labels is reported (unlabelled), never judged. Pure: time is an argument, state a snapshot.

/** One window's label counts, as its latest evaluation saw them. */
export interface LabelledWindow {
  /** epoch ms, [start, end) */
  start: number;
  end: number;
  /** predictions in the window */
  rows: number;
  /** of them, with a label */
  labelled: number;
  /** of the labelled, correct (accuracy = correct / labelled) */
  correct: number;
}

export interface LabelGateOptions {
  /** share of a window's predictions that must be labelled for its quality to be judged before the horizon, in (0, 1] */
  coverage: number;
  /** how long after its end a window's labels are awaited at most (ms ≥ 0) */
  horizonMs: number;
  /** at the horizon, a window with fewer labelled predictions than this is unlabelled (not judged); ≥ 1 */
  minLabelled: number;
}

export type LabelRelease =
  /** judged: its labels reached the coverage, or it reached the horizon with at least minLabelled labels */
  | { outcome: 'judged'; window: LabelledWindow; why: 'coverage' | 'horizon' }
  /** its labels never came (fewer than minLabelled at the horizon): reported, not judged */
  | { outcome: 'unlabelled'; window: LabelledWindow; why: 'horizon' };

export interface LabelGateState {
  /** windows awaiting labels, oldest first */
  pending: LabelledWindow[];
  /** start of the newest window released (judged or unlabelled); null before any */
  through: number | null;
  judged: number;
  unlabelled: number;
}

/** Coverage at which a window's quality is judged before its horizon, unless a model declares its own. */
export const DEFAULT_LABEL_COVERAGE = 0.9;

export function labelCoverage(w: LabelledWindow): number {
  return w.rows > 0 ? w.labelled / w.rows : 0;
}

function checkWindow(w: LabelledWindow): void {
  if (!(Number.isFinite(w.start) && w.end > w.start)) throw new RangeError(`window must have start < end (epoch ms), got ${w.start}..${w.end}`);
  if (!(w.rows >= 0 && w.labelled >= 0 && w.correct >= 0 && w.labelled <= w.rows && w.correct <= w.labelled)) {
    throw new RangeError(`window ${w.start}: counts must satisfy 0 ≤ correct ≤ labelled ≤ rows, got ${w.correct}, ${w.labelled}, ${w.rows}`);
  }
}

export class LabelGate {
  private pending: LabelledWindow[] = [];
  private through: number | null = null;
  private judged = 0;
  private unlabelled = 0;

  constructor(readonly options: LabelGateOptions) {
    const { coverage, horizonMs, minLabelled } = options;
    if (!(coverage > 0 && coverage <= 1)) throw new RangeError(`label coverage must be in (0, 1], got ${coverage}`);
    if (!(horizonMs >= 0) || !Number.isFinite(horizonMs)) throw new RangeError(`label horizon must be ≥ 0 ms, got ${horizonMs}`);
    if (!Number.isInteger(minLabelled) || minLabelled < 1) throw new RangeError(`minLabelled must be a positive integer, got ${minLabelled}`);
  }

  /**
   * Records a window's latest label counts: a new window joins the queue, a pending one takes the new counts. A
   * window already released (or older than one) is ignored: it has been decided once and stays decided.
   */
  offer(w: LabelledWindow): boolean {
    checkWindow(w);
    if (this.through !== null && w.start <= this.through) return false;
    const i = this.pending.findIndex((p) => p.start === w.start);
    if (i >= 0) this.pending[i] = { ...w };
    else {
      this.pending.push({ ...w });
      this.pending.sort((a, b) => a.start - b.start);
    }
    return true;
  }

  /** New label counts for a window only if it is still waiting (a re-evaluation never adds a window to the queue). */
  relabel(w: LabelledWindow): boolean {
    return this.pending.some((p) => p.start === w.start) && this.offer(w);
  }

  /** Whether the oldest waiting window would be released at `now`. */
  due(now: number): boolean {
    return this.pending.length > 0 && this.ready(this.pending[0], now);
  }

  /** Whether a window's quality could be judged at `now` on its own (ignoring the order). */
  ready(w: LabelledWindow, now: number): boolean {
    return (w.rows > 0 && labelCoverage(w) >= this.options.coverage) || now >= w.end + this.options.horizonMs;
  }

  /** The windows released at `now`, oldest first: the queue's head while it is ready. */
  release(now: number): LabelRelease[] {
    const out: LabelRelease[] = [];
    while (this.pending.length > 0 && this.ready(this.pending[0], now)) {
      const w = this.pending.shift()!;
      this.through = w.start;
      const covered = w.rows > 0 && labelCoverage(w) >= this.options.coverage;
      if (covered || w.labelled >= this.options.minLabelled) {
        this.judged += 1;
        out.push({ outcome: 'judged', window: w, why: covered ? 'coverage' : 'horizon' });
      } else {
        this.unlabelled += 1;
        out.push({ outcome: 'unlabelled', window: w, why: 'horizon' });
      }
    }
    return out;
  }

  /** Releases everything still waiting, as if every horizon had passed (a recorded stream ended). */
  flush(): LabelRelease[] {
    return this.release(Infinity);
  }

  /** Windows still awaiting labels, oldest first. */
  waiting(): LabelledWindow[] {
    return this.pending.map((w) => ({ ...w }));
  }

  get counts(): { judged: number; unlabelled: number; waiting: number } {
    return { judged: this.judged, unlabelled: this.unlabelled, waiting: this.pending.length };
  }

  snapshot(): LabelGateState {
    return { pending: this.waiting(), through: this.through, judged: this.judged, unlabelled: this.unlabelled };
  }

  restore(s: LabelGateState): this {
    if (!Array.isArray(s?.pending) || !(s.through === null || typeof s.through === 'number')) throw new RangeError('not a label gate snapshot');
    for (const w of s.pending) checkWindow(w);
    this.pending = s.pending.map((w) => ({ ...w })).sort((a, b) => a.start - b.start);
    this.through = s.through;
    this.judged = s.judged ?? 0;
    this.unlabelled = s.unlabelled ?? 0;
    return this;
  }
}
