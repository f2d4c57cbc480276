// The dataset's verdict over many columns: a column counts as drifted when its p-value, adjusted for the number of
// columns tested (Holm by default), is below α AND its PSI is material — the per-column rule with the multiplicity
// correction applied, so twenty quiet columns do not add up to a false "drift".
import type { ColumnDrift, DriftRule } from './column-drift.js';
import { adjustPValues, type Correction } from './multiplicity.js';

export interface DatasetVerdict {
  drift: boolean;
  correction: Correction;
  /** adjusted p-value per column, in the columns' order */
  adjusted: number[];
  driftedColumns: string[];
}

export function datasetVerdict(columns: readonly ColumnDrift[], rule: DriftRule, correction: Correction): DatasetVerdict {
  const adjusted = adjustPValues(columns.map((c) => c.pValue), correction);
  const driftedColumns = columns.filter((c, i) => adjusted[i] < rule.alpha && c.psi >= rule.psiThreshold).map((c) => c.column);
  return { drift: driftedColumns.length > 0, correction, adjusted, driftedColumns };
}
