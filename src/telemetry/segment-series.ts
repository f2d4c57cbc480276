// /metrics shows the segments of each model's last window only: after a window, every series of a segment it did not
// produce (a value that left the top N, a model whose segments changed or were removed) is removed from every gauge
// with a `segment` label. Whole-model series (no `segment` label) are never touched here.
import type { Gauge } from 'prom-client';

/** The gauges that carry a `segment` label, by their other labels. */
export interface SegmentGauges {
  /** labelled model, feature, segment */
  byFeature: ReadonlyArray<Gauge<'model' | 'feature' | 'segment'>>;
  /** labelled model, segment */
  byModel: ReadonlyArray<Gauge<'model' | 'segment'>>;
  /** labelled model, metric, segment, with every metric they may carry */
  byMetric: ReadonlyArray<{ gauge: Gauge<'model' | 'metric' | 'segment'>; metrics: readonly string[] }>;
}

export interface ExportedSegment {
  name: string;
  features: readonly string[];
}

export class SegmentSeries {
  /** per model, the segments with series on /metrics and every feature each has exported a series for */
  private readonly exported = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly gauges: SegmentGauges) {}

  /** After a window of `model` that exported `segments`: the model's other segments lose all their series. */
  keep(model: string, segments: readonly ExportedSegment[]): void {
    const before = this.exported.get(model) ?? new Map<string, Set<string>>();
    const now = new Map<string, Set<string>>();
    for (const s of segments) now.set(s.name, new Set([...(before.get(s.name) ?? []), ...s.features]));
    for (const [segment, features] of before) if (!now.has(segment)) this.remove(model, segment, features);
    if (now.size) this.exported.set(model, now);
    else this.exported.delete(model);
  }

  /** Removes every segment series of the model (it is no longer evaluated here). */
  forget(model: string): void {
    this.keep(model, []);
  }

  private remove(model: string, segment: string, features: ReadonlySet<string>): void {
    for (const g of this.gauges.byFeature) for (const feature of features) g.remove({ model, feature, segment });
    for (const g of this.gauges.byModel) g.remove({ model, segment });
    for (const { gauge, metrics } of this.gauges.byMetric) for (const metric of metrics) gauge.remove({ model, metric, segment });
  }
}
