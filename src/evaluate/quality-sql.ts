// Push-down for the type-mismatch share of a window's features: rows where a numeric feature arrived as text (it
// then sits in cat_names) or a categorical one as a number (in num_names). ClickHouse counts them per feature; the
// query runs only when the window's name layouts show such a row, so a clean window costs nothing.
import { sqlDateTime, sqlString, sqlValue } from '../store/sql.js';
import type { LayoutNames } from './shape.js';
import type { WindowPlan } from './plan.js';
import type { WindowRange } from './sql.js';

/** Feature names (not the prediction) by the kind the baseline gave them. */
function featureNames(plan: Pick<WindowPlan, 'numeric' | 'categorical'>): { numeric: string[]; categorical: string[] } {
  return {
    numeric: plan.numeric.filter((p) => p.source === 'feature').map((p) => p.name),
    categorical: plan.categorical.filter((p) => p.source === 'feature').map((p) => p.name),
  };
}

/** Whether any of the layouts carries a feature under the other kind (null layouts: unknown, so yes). */
export function mayHaveTypeMismatches(plan: Pick<WindowPlan, 'numeric' | 'categorical'>, layouts: ReadonlyArray<{ names: LayoutNames }> | null): boolean {
  const { numeric, categorical } = featureNames(plan);
  if (numeric.length === 0 && categorical.length === 0) return false;
  if (layouts === null) return true;
  const num = new Set(numeric);
  const cat = new Set(categorical);
  return layouts.some((l) => l.names.cat.some((n) => num.has(n)) || l.names.num.some((n) => cat.has(n)));
}

/** `name, c`: rows per feature whose value had the other kind; null when the plan has no features. */
export function typeMismatchSql(w: WindowRange, plan: Pick<WindowPlan, 'numeric' | 'categorical'>, final: boolean, segment?: string): string | null {
  const { numeric, categorical } = featureNames(plan);
  const from = `${final ? 'predictions FINAL' : 'predictions'}`;
  const where = `model = ${sqlString(w.model)} AND ts >= ${sqlDateTime(w.start)} AND ts < ${sqlDateTime(w.end)}`;
  const parts: string[] = [];
  // with a segment column (segments.ts): `seg, name, c`
  const seg = segment ? `${segment}, ` : '';
  const by = segment ? 'seg, ' : '';
  if (numeric.length) parts.push(`SELECT ${seg}name, count() AS c FROM ${from} ARRAY JOIN cat_names AS name WHERE ${where} AND has(${sqlValue(numeric)}, name) GROUP BY ${by}name`);
  if (categorical.length) parts.push(`SELECT ${seg}name, count() AS c FROM ${from} ARRAY JOIN num_names AS name WHERE ${where} AND has(${sqlValue(categorical)}, name) GROUP BY ${by}name`);
  return parts.length ? parts.join('\nUNION ALL\n') : null;
}
