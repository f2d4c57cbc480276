// Bins for the JS and Hellinger distances, chosen so both reach their full range: the PSI deciles plus the
// reference's [min, max] as closed outer bins, so a sample beyond the reference lands where the reference has no
// mass; and, for a numeric feature with few distinct reference values, one bin per value and one per gap between
// neighbours, so a value the reference never took is never merged with one it did. PSI keeps its own bins.
import { countAtMost } from './sample.js';

/** A numeric reference with at most this many distinct values is binned by value. */
export const DISCRETE_VALUES = 20;

export interface DistanceBins {
  /** ascending; bin i holds [splits[i − 1], splits[i]) (bin 0 from −∞, the last to +∞) */
  splits: number[];
  /** reference values per bin (splits.length + 1 of them) */
  reference: number[];
}

/** The reference's distinct values and their counts. */
export interface DiscreteValues {
  values: number[];
  counts: number[];
}

const scratch = new Float64Array(1);
const bits = new BigInt64Array(scratch.buffer);

const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * The smallest double above x (finite x), skipping subnormals (ClickHouse 18.16 cannot parse them as literals): above
 * 0 it is the smallest normal double, above a negative subnormal it is 0.
 */
export function nextUp(x: number): number {
  if (x === 0) return MIN_NORMAL;
  scratch[0] = x;
  bits[0] += x > 0 ? 1n : -1n;
  const y = scratch[0];
  return Math.abs(y) < MIN_NORMAL ? (x < 0 ? 0 : MIN_NORMAL) : y;
}

/** Distinct values of an ascending sample with their counts; undefined when there are more than `limit`. */
export function discreteValues(sorted: ArrayLike<number>, limit = DISCRETE_VALUES): DiscreteValues | undefined {
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (values.length > 0 && sorted[i] === values[values.length - 1]) counts[counts.length - 1]++;
    else {
      if (values.length === limit) return undefined;
      values.push(sorted[i]);
      counts.push(1);
    }
  }
  return { values, counts };
}

/** A reference as a baseline keeps it: min, max, PSI edges and counts, and its distinct values when few. */
export interface BinnableReference {
  min: number;
  max: number;
  edges: readonly number[];
  counts: readonly number[];
  discrete?: DiscreteValues;
}

export function distanceBins(ref: BinnableReference): DistanceBins {
  if (ref.discrete) {
    const splits = ref.discrete.values.flatMap((v) => [v, nextUp(v)]);
    const reference = [0, ...ref.discrete.counts.flatMap((c) => [c, 0])];
    return { splits, reference };
  }
  const splits = [...new Set([ref.min, ...ref.edges, nextUp(ref.max)])].sort((a, b) => a - b);
  const reference = new Array<number>(splits.length + 1).fill(0);
  // each PSI bin, cut to [min, max] where every reference value lies, falls inside exactly one of these bins
  ref.counts.forEach((c, j) => {
    reference[countAtMost(splits, j === 0 ? ref.min : ref.edges[j - 1])] += c;
  });
  return { splits, reference };
}
