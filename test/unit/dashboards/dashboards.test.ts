// dashboards/: the six dashboards exist, their panels lie on the grid without overlap, every PromQL names only
// metrics driftwatch (or the dcgm-exporter it deploys) exports, datasource uids match the provisioning files,
// and the committed JSON is what the code generates.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Panel } from '@grafana/schema';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARDS, staleDashboards } from '../../../dashboards/index.js';
import { CLICKHOUSE, PROMETHEUS, isPromQuery, isSqlQuery, queriesOf } from '../../../dashboards/lib/panels.js';
import { run } from '../../../src/cli/commands/dashboards.js';
import { InputError } from '../../../src/domain/index.js';
import { MIGRATIONS } from '../../../src/store/index.js';
import { unknownMetrics } from './metric-names.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

describe('dashboards', () => {
  it('ships the six dashboards the issue lists, with unique uids', () => {
    expect(DASHBOARDS.map((d) => d.uid)).toEqual([
      'driftwatch-model-drift', 'driftwatch-feature', 'driftwatch-model-quality', 'driftwatch-gpu-fleet', 'driftwatch-nccl', 'driftwatch-service',
    ]);
  });

  it.each(DASHBOARDS.map((d) => [d.uid, d] as const))('%s: panels have unique ids and do not overlap on the 24-column grid', (_uid, d) => {
    const panels = d.panels ?? [];
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const p of panels) {
      const g = p.gridPos!;
      expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) for (let y = g.y; y < g.y + g.h; y++) {
        expect(cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
        cells.add(`${x},${y}`);
      }
    }
  });

  it.each(DASHBOARDS.map((d) => [d.uid, d] as const))('%s: every PromQL names only exported metrics; every query has a known datasource', (_uid, d) => {
    const queries = queriesOf(d);
    expect(queries.length).toBeGreaterThan(0);
    for (const { panel, query } of queries) {
      expect([PROMETHEUS.uid, CLICKHOUSE.uid], panel).toContain(query.datasource.uid);
      if (isPromQuery(query)) expect(unknownMetrics(query.expr), `${panel}: ${query.expr}`).toEqual([]);
      else expect(isSqlQuery(query), panel).toBe(true);
    }
    for (const v of d.templating?.list ?? []) {
      const q = String(v.query);
      const m = /^label_values\((.+), \w+\)$/.exec(q);
      if (v.datasource?.uid === PROMETHEUS.uid) expect(m && unknownMetrics(m[1]), q).toEqual([]);
    }
  });

  it('SQL panels read only tables the migrations create', () => {
    const created = new Set(MIGRATIONS.flatMap((m) => m.statements.flatMap((s) => typeof s !== "string" ? [] : [...s.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((x) => x[1]))));
    for (const d of DASHBOARDS) {
      for (const { panel, query } of queriesOf(d)) {
        if (!isSqlQuery(query)) continue;
        const tables = [...query.rawSql.matchAll(/\bFROM\s+(\w+)/g)].map((m) => m[1]);
        expect(tables.length, panel).toBeGreaterThan(0);
        for (const t of tables) expect(created, `${d.uid} / ${panel} reads ${t}`).toContain(t);
      }
    }
  });

  it('a panel naming a metric driftwatch does not export is caught', () => {
    const broken = structuredClone(DASHBOARDS[5]);
    (broken.panels![1] as Panel).targets = [{ refId: 'A', datasource: PROMETHEUS, expr: 'rate(driftwatch_ingest_mesages_total[5m])' } as never];
    const unknown = queriesOf(broken).filter((q) => isPromQuery(q.query)).flatMap((q) => unknownMetrics((q.query as { expr: string }).expr));
    expect(unknown).toEqual(['driftwatch_ingest_mesages_total']);
  });

  it('the committed JSON in dashboards/generated is what the code generates', () => {
    expect(staleDashboards()).toEqual([]);
  });

  it('the provisioning files name the datasource uids the panels use, and load the generated folder', () => {
    const ds = parse(readFileSync(join(ROOT, 'dashboards/provisioning/datasources/driftwatch.yml'), 'utf8')) as { datasources: Array<{ uid: string; type: string }> };
    expect(ds.datasources.map((d) => [d.uid, d.type])).toEqual([[PROMETHEUS.uid, PROMETHEUS.type], [CLICKHOUSE.uid, CLICKHOUSE.type]]);
    const prov = parse(readFileSync(join(ROOT, 'dashboards/provisioning/dashboards/driftwatch.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
    expect(prov.providers[0].options.path).toBe('/var/lib/grafana/dashboards/driftwatch');
  });
});

describe('driftwatch dashboards build', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} } };
  };

  it('writes every dashboard, and --check passes on what it wrote and fails on an empty dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-dash-'));
    const empty = mkdtempSync(join(tmpdir(), 'dw-dash-empty-'));
    try {
      const a = io();
      expect(await run(['build', '--out', dir, '--json'], a.io)).toBe(0);
      expect(JSON.parse(a.out[0]).files).toHaveLength(6);
      expect(JSON.parse(readFileSync(join(dir, 'driftwatch-service.json'), 'utf8')).uid).toBe('driftwatch-service');
      expect(await run(['build', '--out', dir, '--check'], io().io)).toBe(0);
      const b = io();
      expect(await run(['build', '--out', empty, '--check'], b.io)).toBe(1);
      expect(b.err[0]).toContain('driftwatch-model-drift.json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses an unknown subcommand or option as bad input', async () => {
    await expect(run(['publish'], io().io)).rejects.toBeInstanceOf(InputError);
    await expect(run(['build', '--nope'], io().io)).rejects.toBeInstanceOf(InputError);
  });
});
