// What Grafana and grafana-clickhouse-datasource do to a panel's SQL before ClickHouse sees it: time macros
// become toDateTime literals, ${var:sqlstring} becomes a quoted literal.
export interface SqlContext {
  /** unix seconds */
  from: number;
  to: number;
  vars: Record<string, string>;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function expandSql(sql: string, ctx: SqlContext): string {
  return sql
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_m, col: string) => `${col.trim()} >= toDateTime(${ctx.from}) AND ${col.trim()} <= toDateTime(${ctx.to})`)
    .replace(/\$__fromTime\b/g, `toDateTime(${ctx.from})`)
    .replace(/\$__toTime\b/g, `toDateTime(${ctx.to})`)
    .replace(/\$\{(\w+):sqlstring\}/g, (_m, name: string) => {
      if (!(name in ctx.vars)) throw new Error(`no value for dashboard variable ${name}`);
      return quote(ctx.vars[name]);
    })
    .replace(/\$\{(\w+)\}|\$(\w+)\b/g, (m, a?: string, b?: string) => {
      const name = a ?? b ?? '';
      if (!(name in ctx.vars)) throw new Error(`no value for dashboard variable ${name} in ${m}`);
      return ctx.vars[name];
    });
}
