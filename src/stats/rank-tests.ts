// Cramér–von Mises and Anderson–Darling from one walk over the tie groups of two sorted samples: both are sums over
// the pooled sample's distinct values, so `driftwatch drift` pays one pass for the two tests.
import { InputError } from '../domain/index.js';
import { andersonFromSums, type AndersonResult } from './anderson.js';
import { cvmFromU, squaredRankGaps, type CvmResult } from './cvm.js';
import { eachTieGroup } from './ties.js';

/** Both tests on two ascending, NaN-free samples; each is undefined where it is not defined (too few values). */
export function rankTests(a: ArrayLike<number>, b: ArrayLike<number>): { cvm?: CvmResult; anderson?: AndersonResult } {
  const na = a.length;
  const nb = b.length;
  if (na === 0 || nb === 0) throw new InputError('rank tests need two non-empty samples');
  const N = na + nb;
  let distinct = 0;
  let seenA = 0;
  let seenB = 0;
  let gapsA = 0;
  let gapsB = 0;
  let sumA = 0;
  let sumB = 0;
  eachTieGroup(a, b, (_v, below, inA, inB) => {
    distinct++;
    const l = inA + inB;
    const rank = below + (l + 1) / 2;
    if (inA > 0) gapsA += squaredRankGaps(rank, seenA, inA);
    if (inB > 0) gapsB += squaredRankGaps(rank, seenB, inB);
    const B = below + l / 2;
    const weight = l / N / (B * (N - B) - (N * l) / 4);
    seenA += inA;
    seenB += inB;
    const da = N * (seenA - inA / 2) - B * na;
    const db = N * (seenB - inB / 2) - B * nb;
    sumA += weight * da * da;
    sumB += weight * db * db;
  });
  return {
    ...(na >= 2 && nb >= 2 ? { cvm: cvmFromU(na * gapsA + nb * gapsB, na, nb) } : {}),
    ...(distinct >= 2 && N > 3 ? { anderson: andersonFromSums(sumA, sumB, na, nb) } : {}),
  };
}

/** Cramér–von Mises alone (scipy.stats.cramervonmises_2samp): at least 2 values in each sample. */
export function cramerVonMises(a: ArrayLike<number>, b: ArrayLike<number>): CvmResult {
  const { cvm } = a.length > 0 && b.length > 0 ? rankTests(a, b) : {};
  if (!cvm) throw new InputError('Cramér–von Mises needs at least 2 values in each sample');
  return cvm;
}

/** Anderson–Darling alone (scipy.stats.anderson_ksamp midrank): at least two distinct values between the samples. */
export function andersonDarling(a: ArrayLike<number>, b: ArrayLike<number>): AndersonResult {
  const { anderson } = rankTests(a, b);
  if (!anderson) throw new InputError('Anderson–Darling needs at least two distinct values and 4 in all');
  return anderson;
}
