// Small typed builders over @grafana/schema: datasources, queries, panels laid out on the 24-column grid.
import { ThresholdsMode, type Dashboard, type DataSourceRef, type Panel, type RowPanel, type VariableModel } from '@grafana/schema';

/** Datasource uids the provisioning files (dashboards/provisioning/datasources) create. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'driftwatch-prometheus' };
export const CLICKHOUSE: DataSourceRef = { type: 'grafana-clickhouse-datasource', uid: 'driftwatch-clickhouse' };

export interface PromQuery { refId: string; datasource: DataSourceRef; expr: string; legendFormat?: string; instant?: boolean; range?: boolean; format?: 'time_series' | 'table' }
/** grafana-clickhouse-datasource query: format 0 time series, 1 table. */
export interface SqlQuery { refId: string; datasource: DataSourceRef; editorType: 'sql'; rawSql: string; format: 0 | 1; queryType: 'timeseries' | 'table' }
export type Query = PromQuery | SqlQuery;

export const isPromQuery = (q: Query): q is PromQuery => 'expr' in q;
export const isSqlQuery = (q: Query): q is SqlQuery => 'rawSql' in q;

const REF = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function prom(expr: string, legendFormat?: string, extra: Partial<PromQuery> = {}): Omit<PromQuery, 'refId'> {
  return { datasource: PROMETHEUS, expr, ...(legendFormat ? { legendFormat } : {}), ...extra };
}

/** An instant PromQL query shown as a table (one row per series). */
export function promTable(expr: string): Omit<PromQuery, 'refId'> {
  return prom(expr, undefined, { instant: true, range: false, format: 'table' });
}

export function sql(rawSql: string, as: 'timeseries' | 'table' = 'table'): Omit<SqlQuery, 'refId'> {
  return { datasource: CLICKHOUSE, editorType: 'sql', rawSql: rawSql.trim().replace(/\n\s+/g, '\n  '), format: as === 'timeseries' ? 0 : 1, queryType: as };
}

export interface PanelSpec {
  title: string;
  type: 'timeseries' | 'stat' | 'table' | 'barchart' | 'bargauge';
  queries: Array<Omit<Query, 'refId'>>;
  description?: string;
  unit?: string;
  /** grid width out of 24 (default 12) and height (default 8) */
  w?: number;
  h?: number;
  /** value at which the panel turns red */
  red?: number;
  min?: number;
  max?: number;
  options?: Record<string, unknown>;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags?: string[];
  variables?: VariableModel[];
  /** panels in reading order, or rows of them */
  sections: Array<{ row?: string; panels: PanelSpec[] }>;
  time?: { from: string; to: string };
  refresh?: string;
}

function panel(spec: PanelSpec, id: number, x: number, y: number): Panel {
  const datasource = spec.queries[0]?.datasource;
  return {
    id,
    type: spec.type,
    title: spec.title,
    ...(spec.description ? { description: spec.description } : {}),
    datasource,
    gridPos: { x, y, w: spec.w ?? 12, h: spec.h ?? 8 },
    targets: spec.queries.map((q, i) => ({ ...q, refId: REF[i] })),
    fieldConfig: {
      defaults: {
        ...(spec.unit ? { unit: spec.unit } : {}),
        ...(spec.min !== undefined ? { min: spec.min } : {}),
        ...(spec.max !== undefined ? { max: spec.max } : {}),
        thresholds: {
          mode: ThresholdsMode.Absolute,
          steps: [{ color: 'green', value: null as unknown as number }, ...(spec.red !== undefined ? [{ color: 'red', value: spec.red }] : [])],
        },
      },
      overrides: [],
    },
    options: spec.options ?? {},
  };
}

/** Lays the sections out top to bottom, panels left to right, wrapping at 24 columns. */
export function dashboard(spec: DashboardSpec): Dashboard {
  const panels: Array<Panel | RowPanel> = [];
  let id = 1;
  let y = 0;
  for (const section of spec.sections) {
    if (section.row) {
      panels.push({ id: id++, type: 'row', title: section.row, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
      y += 1;
    }
    let x = 0;
    let rowHeight = 0;
    for (const p of section.panels) {
      const w = p.w ?? 12;
      if (x + w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      panels.push(panel(p, id++, x, y));
      x += w;
      rowHeight = Math.max(rowHeight, p.h ?? 8);
    }
    y += rowHeight;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['driftwatch', ...(spec.tags ?? [])],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: spec.time ?? { from: 'now-24h', to: 'now' },
    refresh: spec.refresh ?? '1m',
    timezone: 'utc',
    templating: { list: spec.variables ?? [] },
    annotations: { list: [] },
    links: [{ title: 'driftwatch', type: 'dashboards', tags: ['driftwatch'], asDropdown: true, icon: 'external link', includeVars: true, keepTime: true, targetBlank: false, tooltip: '', url: '' }],
    panels,
  };
}

/** A dashboard variable filled by a query (PromQL label_values or ClickHouse SQL). */
export function queryVariable(name: string, label: string, datasource: DataSourceRef, query: string, opts: { multi?: boolean; includeAll?: boolean } = {}): VariableModel {
  return {
    type: 'query',
    name,
    label,
    datasource,
    query,
    definition: query,
    refresh: 2,
    sort: 1,
    multi: opts.multi ?? false,
    includeAll: opts.includeAll ?? false,
    ...(opts.includeAll ? { allValue: '.*' } : {}),
    options: [],
    skipUrlSync: false,
  } as VariableModel;
}

/** Every query of a dashboard, with the panel title it belongs to. */
export function queriesOf(d: Dashboard): Array<{ panel: string; query: Query }> {
  const out: Array<{ panel: string; query: Query }> = [];
  for (const p of d.panels ?? []) {
    for (const t of (p as Panel).targets ?? []) out.push({ panel: p.title ?? '', query: t as unknown as Query });
  }
  return out;
}
