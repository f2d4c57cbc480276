// Tumbling windows over a time-ordered stream of predictions: counts per model and feature in the
// reference's bins, closed when the stream moves past their end. Windows are aligned to multiples of
// their length since the epoch, so replay and the live evaluator cut the same windows.
import type { Prediction } from '../domain/index.js';
import { binIndex, isCorrect, type ModelReference } from './reference.js';
import type { FeatureCounts } from './statistics.js';

export interface WindowSummary {
  model: string;
  /** epoch ms, [start, end) */
  start: number;
  end: number;
  rows: number;
  features: Record<string, FeatureCounts>;
  /** predictions whose label was in the message */
  labeled: number;
  correct: number;
  /** the segment (`feature=value`) these counts are of; absent: the whole window */
  segment?: string;
}

export function windowStart(timestamp: number, windowMs: number): number {
  return Math.floor(timestamp / windowMs) * windowMs;
}

function emptyCounts(ref: ModelReference): Record<string, FeatureCounts> {
  const out: Record<string, FeatureCounts> = {};
  for (const [name, f] of Object.entries(ref.features)) {
    out[name] = f.kind === 'numeric'
      ? { kind: 'numeric', counts: new Array<number>(f.counts.length).fill(0), missing: 0, ...(f.min !== undefined ? { outOfRange: 0 } : {}) }
      : { kind: 'categorical', counts: {}, missing: 0 };
  }
  return out;
}

/** Adds one prediction to a window's counts; a value of the wrong type for the feature counts as missing. */
export function addPrediction(w: WindowSummary, ref: ModelReference, p: Prediction): void {
  w.rows += 1;
  for (const [name, f] of Object.entries(ref.features)) {
    const counts = w.features[name];
    const v = p.features[name];
    if (f.kind === 'numeric' && counts.kind === 'numeric') {
      if (typeof v === 'number' && Number.isFinite(v)) {
        counts.counts[binIndex(f.edges, v)] += 1;
        if (counts.outOfRange !== undefined && (v < f.min! || v > f.max!)) counts.outOfRange += 1;
      } else counts.missing += 1;
    } else if (counts.kind === 'categorical') {
      if (v === null || v === undefined) counts.missing += 1;
      else counts.counts[String(v)] = (counts.counts[String(v)] ?? 0) + 1;
    }
  }
  const ok = isCorrect(p.prediction, p.label);
  if (ok !== null) {
    w.labeled += 1;
    if (ok) w.correct += 1;
  }
}

/** Cuts a stream into windows per model; `add` returns the windows the new message closed. */
export class StreamWindows {
  private open = new Map<string, WindowSummary>();
  /** messages for a window that was already closed (the stream was out of order) */
  late = 0;
  /** messages for a model that has no reference */
  unknownModel = 0;

  constructor(private readonly references: Map<string, ModelReference>, readonly windowMs: number) {
    if (!(windowMs > 0)) throw new RangeError(`window length must be positive, got ${windowMs}`);
  }

  add(p: Prediction): WindowSummary[] {
    const ref = this.references.get(p.model);
    if (!ref) {
      this.unknownModel += 1;
      return [];
    }
    const start = windowStart(p.timestamp, this.windowMs);
    const closed = this.closeBefore(start);
    let w = this.open.get(p.model);
    if (w && start < w.start) {
      this.late += 1;
      return closed;
    }
    if (!w) {
      w = { model: p.model, start, end: start + this.windowMs, rows: 0, features: emptyCounts(ref), labeled: 0, correct: 0 };
      this.open.set(p.model, w);
    }
    addPrediction(w, ref, p);
    return closed;
  }

  /** Closes every open window that ends at or before `time` (the stream, or the clock, has moved past it). */
  closeBefore(time: number): WindowSummary[] {
    const closed: WindowSummary[] = [];
    for (const [model, w] of this.open) {
      if (w.end <= time) {
        closed.push(w);
        this.open.delete(model);
      }
    }
    return closed.sort((a, b) => a.end - b.end || a.model.localeCompare(b.model));
  }

  /** Closes everything still open (end of a recorded stream). */
  flush(): WindowSummary[] {
    return this.closeBefore(Infinity);
  }
}
