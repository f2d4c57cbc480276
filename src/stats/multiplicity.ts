// Many columns in one verdict: p-values adjusted for multiplicity (REFERENCE.md §8). Holm controls the
// family-wise error under any dependence; Benjamini–Hochberg the false discovery rate (independent or positively
// dependent tests). A column is significant when its adjusted p < α.

export type Correction = 'holm' | 'bh' | 'none';

export const CORRECTIONS: readonly Correction[] = ['holm', 'bh', 'none'];

/** Adjusted p-values in the input's order (statsmodels multipletests' holm / fdr_bh; scipy false_discovery_control). */
export function adjustPValues(pValues: readonly number[], method: Correction): number[] {
  const m = pValues.length;
  if (method === 'none' || m === 0) return [...pValues];
  const order = pValues.map((_, i) => i).sort((x, y) => pValues[x] - pValues[y]);
  const out = new Array<number>(m);
  if (method === 'holm') {
    let running = 0;
    order.forEach((index, rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * pValues[index]));
      out[index] = running;
    });
  } else {
    let running = 1;
    for (let rank = m - 1; rank >= 0; rank--) {
      const index = order[rank];
      running = Math.min(running, (m / (rank + 1)) * pValues[index]);
      out[index] = Math.min(1, running);
    }
  }
  return out;
}
