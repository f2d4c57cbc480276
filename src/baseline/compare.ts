// Drift of every column the reference and the current data share, each column sorted once, with the column's
// data-quality shares (missing values, values of another type than the reference's kind).
import { InputError } from '../domain/index.js';
import { categoricalColumnDrift, numericColumnDrift, sortSample, DEFAULT_DRIFT_RULE, type ColumnDrift, type DriftRule } from '../stats/index.js';
import type { ReferenceSet } from './reference.js';
import type { Column, Table } from './table.js';

export function compareToReference(reference: ReferenceSet, current: Table, rule: DriftRule = DEFAULT_DRIFT_RULE): ColumnDrift[] {
  if (current.rows === 0) throw new InputError(`${current.source}: the current file has no rows`, 'empty');
  const shared = [...reference.columns.keys()].filter((name) => current.columns.has(name));
  if (shared.length === 0) {
    throw new InputError(
      `no common columns between ${reference.source} (${[...reference.columns.keys()].slice(0, 8).join(', ')}) and ${current.source} (${(current.names ?? [...current.columns.keys()]).slice(0, 8).join(', ')})`,
      'no_common_columns',
    );
  }
  return shared.map((name) => {
    const ref = reference.columns.get(name)!;
    const column = current.columns.get(name)!;
    if (ref.kind === 'numeric') {
      // The reader forces the reference's kinds on the current file, so a numeric reference has a numeric column.
      if (column.kind !== 'numeric') throw new InputError(`column "${name}" is numeric in ${reference.source} but categorical in ${current.source}`);
      const sample = sortSample(column.values);
      if (sample.values.length === 0) {
        const what = column.mismatched ? `no numbers in it (${column.mismatched} values of another type)` : 'no values in it (empty sample)';
        throw new InputError(`column "${name}": ${current.source} has ${what}`, 'empty');
      }
      return withQuality(numericColumnDrift(name, ref, sample, rule), column, sample.missing);
    }
    const counts = new Map<string | null, number>();
    let missing = 0;
    for (const v of column.values) {
      const key = v === null ? null : String(v);
      if (key === null) missing++;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return withQuality(categoricalColumnDrift(name, ref, counts, rule), column, missing);
  });
}

/** Missing and type-mismatch shares of a current column; a mismatched value was read as missing, so it is taken out of `missing`. */
function withQuality(drift: ColumnDrift, column: Column, missing: number): ColumnDrift {
  const rows = column.values.length;
  const mismatched = column.mismatched ?? 0;
  return { ...drift, missingRate: (missing - mismatched) / rows, typeMismatchRate: mismatched / rows };
}
