// Data-quality shares of a current sample against its reference: values outside the reference's range, categories
// the reference never saw; and what those shares are when nothing changed (the false-page tests' baseline).
import { countAtMost, countBelow } from './sample.js';

/** Values of an ascending sample outside [min, max]. */
export function outOfRangeCount(sorted: ArrayLike<number>, min: number, max: number): number {
  return countBelow(sorted, min) + (sorted.length - countAtMost(sorted, max));
}

/** Current values (non-missing; the key null is missing) in categories the reference has no rows for. */
export function unseenCount(reference: ReadonlyMap<string | null, number> | Readonly<Record<string, number>>, current: ReadonlyMap<string | null, number> | Readonly<Record<string, number>>): number {
  const has = reference instanceof Map ? (k: string) => (reference.get(k) ?? 0) > 0 : (k: string) => ((reference as Record<string, number>)[k] ?? 0) > 0;
  const entries = current instanceof Map ? [...current] : Object.entries(current);
  let unseen = 0;
  for (const [k, c] of entries) if (k !== null && !has(k)) unseen += c;
  return unseen;
}

/**
 * Expected out-of-range share of a new value from the reference's own distribution: it falls outside the range of
 * m earlier draws with probability 2/(m + 1) (continuous values; 0 for a single value's range is not claimed).
 */
export function expectedOutOfRangeShare(referenceCount: number): number {
  return referenceCount > 0 ? 2 / (referenceCount + 1) : 0;
}

/** Expected unseen share (Good–Turing): categories seen exactly once, over the reference's rows. */
export function expectedUnseenShare(frequencies: Iterable<number>): number {
  let once = 0;
  let total = 0;
  for (const c of frequencies) {
    if (c === 1) once++;
    total += c;
  }
  return total > 0 ? once / total : 0;
}
