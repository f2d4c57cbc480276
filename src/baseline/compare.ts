// Drift of every column the reference and the current data share, each column sorted once.
import { InputError } from '../domain/index.js';
import { categoricalColumnDrift, numericColumnDrift, sortSample, DEFAULT_DRIFT_RULE, type ColumnDrift, type DriftRule } from '../stats/index.js';
import type { ReferenceSet } from './reference.js';
import type { Table } from './table.js';

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
      if (sample.values.length === 0) throw new InputError(`column "${name}": ${current.source} has no values in it (empty sample)`, 'empty');
      return numericColumnDrift(name, ref, sample, rule);
    }
    const counts = new Map<string | null, number>();
    for (const v of column.values) {
      const key = v === null ? null : String(v);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return categoricalColumnDrift(name, ref, counts, rule);
  });
}
