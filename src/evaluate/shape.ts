// How to read a span of predictions cheaply, decided before aggregating it: FINAL only when the span holds
// redelivered duplicates, and features by position from each row's name layout (a hash ClickHouse keeps per row)
// instead of searching names row by row. Shared by the evaluator and the report.
import type { Store } from '../store/client.js';
import { duplicatesSql, layoutNamesSql, layoutsSql, type FeatureLayout, type WindowRange } from './sql.js';

/** Above this many name layouts in one span, features are found by name (a lookup per layout costs more). */
export const MAX_LAYOUTS = 1024;
const CACHE_SIZE = 10_000;

export interface LayoutNames {
  num: string[];
  cat: string[];
  missing: string[];
}

export interface SpanShape {
  /** the span holds rows beyond one per (second, prediction id): readers need FINAL */
  final: boolean;
  /** every layout of the span with its names; null when there are more than maxLayouts */
  layouts: Array<{ layout: string; names: LayoutNames }> | null;
  /** how numeric features are found (undefined: by name) */
  featureLayout: FeatureLayout | undefined;
  /** the span's rows, duplicates included */
  rows: number;
}

/** name → 1-based position in a row's numeric values */
function positionsOf(names: readonly string[]): Map<string, number> {
  return new Map(names.map((n, i) => [n, i + 1]));
}

/** Name lists per layout hash: layouts recur window after window, so their names are read once. */
export class LayoutBook {
  private readonly cache = new Map<string, LayoutNames>();

  constructor(private readonly store: Store) {}

  /** The duplicate check and the layouts of a span, in one round of queries. */
  async shape(w: WindowRange, maxLayouts = MAX_LAYOUTS): Promise<SpanShape> {
    const [[dup], { layouts, rows }] = await Promise.all([
      this.store.query<{ dups: string }>(duplicatesSql(w)),
      this.store.query<{ layout: string; n: string }>(layoutsSql(w)).then(async (found) => ({
        layouts: found.length <= maxLayouts ? await this.names(w, found.map((r) => r.layout)) : null,
        rows: found.reduce((sum, r) => sum + Number(r.n), 0),
      })),
    ]);
    const featureLayout: FeatureLayout | undefined = !layouts
      ? undefined
      : layouts.length === 1
        ? { kind: 'positions', positions: positionsOf(layouts[0].names.num) }
        : { kind: 'layouts', layouts: layouts.map((l) => ({ layout: l.layout, positions: positionsOf(l.names.num) })) };
    return { final: Number(dup?.dups ?? 0) > 0, layouts, featureLayout, rows };
  }

  /** The name lists of each layout, from the cache or one row of the span per layout not seen before. */
  private async names(w: WindowRange, layouts: readonly string[]): Promise<Array<{ layout: string; names: LayoutNames }>> {
    const unseen = layouts.filter((l) => !this.cache.has(l));
    if (unseen.length > 0) {
      type Row = { layout: string; num_names: string[]; cat_names: string[]; missing_names: string[] };
      // a query per layout stops at its first row; one query for many reads the whole span's names
      const rows = unseen.length <= 16
        ? (await Promise.all(unseen.map((l) => this.store.query<Row>(layoutNamesSql(w, [l], true))))).flat()
        : await this.store.query<Row>(layoutNamesSql(w, unseen));
      if (this.cache.size + rows.length > CACHE_SIZE) this.cache.clear();
      for (const r of rows) this.cache.set(r.layout, { num: r.num_names, cat: r.cat_names, missing: r.missing_names });
    }
    // a layout whose rows vanished between the two queries (retention) has no names and no rows to read
    return layouts.flatMap((layout) => {
      const names = this.cache.get(layout);
      return names ? [{ layout, names }] : [];
    });
  }
}
