// alerts/: promtool checks and unit-tests every rule file, every alert is exercised by a test that expects it to
// fire, every metric a rule names is one driftwatch exports, and the Alertmanager example routes as documented.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricNames, unknownMetrics } from './metric-names.js';

const ALERTS = new URL('../../../alerts/', import.meta.url).pathname;
const ruleFiles = readdirSync(ALERTS).filter((f) => f.endsWith('.rules.yml')).sort();
const testFiles = readdirSync(join(ALERTS, 'tests')).filter((f) => f.endsWith('.test.yml')).sort();

interface Rule { alert: string; expr: string; for?: string; labels?: Record<string, string> }
const rules: Rule[] = ruleFiles.flatMap((f) => (parse(readFileSync(join(ALERTS, f), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules));

function run(cmd: string, args: string[], cwd = ALERTS): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
}

describe('alert rules', () => {
  it('has the rules the issue asks for', () => {
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining([
      'DriftwatchDown', 'DriftwatchIngestLag', 'DriftwatchDeadLetterSurge', 'DriftwatchEvaluationStalled', 'DriftwatchSinkDeliveryFailing',
      'GpuXidCritical', 'GpuThermalThrottling', 'GpuAllocatedButIdle', 'NcclBandwidthDrop', 'ModelDriftDetected',
    ]));
  });

  it('passes promtool check rules', () => {
    const r = run('promtool', ['check', 'rules', ...ruleFiles]);
    expect(r.out).not.toMatch(/FAILED/);
    expect(r.code).toBe(0);
  });

  it('passes promtool test rules', () => {
    const r = run('promtool', ['test', 'rules', ...testFiles.map((f) => join('tests', f))]);
    expect(r.out, r.out).not.toMatch(/FAILED/);
    expect(r.code).toBe(0);
  });

  it('has a promtool test that expects each alert to fire', () => {
    const fired = new Set<string>();
    for (const f of testFiles) {
      const doc = parse(readFileSync(join(ALERTS, 'tests', f), 'utf8')) as { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }> };
      for (const t of doc.tests) for (const a of t.alert_rule_test ?? []) if (a.exp_alerts.length > 0) fired.add(a.alertname);
    }
    expect(rules.map((r) => r.alert).filter((a) => !fired.has(a))).toEqual([]);
  });

  it.each(rules.map((r) => [r.alert, r] as const))('%s names only metrics driftwatch exports', (_name, rule) => {
    expect(metricNames(rule.expr).length).toBeGreaterThan(0);
    expect(unknownMetrics(rule.expr)).toEqual([]);
  });

  it('routes every alert to a receiver by its labels: page, retrain, or the ticket queue', () => {
    expect(rules.every((r) => ['page', 'warning', 'ticket'].includes(r.labels?.severity ?? ''))).toBe(true);
    expect(run('amtool', ['check-config', 'alertmanager.example.yml']).code).toBe(0);
    const route = (...labels: string[]) => run('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.example.yml', ...labels]).out.trim().split('\n').at(-1);
    expect(route('alertname=GpuXidCritical', 'severity=page')).toBe('pagerduty');
    expect(route('alertname=ModelDriftDetected', 'severity=warning', 'action=retrain', 'model=fraud')).toBe('retraining');
    expect(route('alertname=GpuAllocatedButIdle', 'severity=ticket')).toBe('team-tickets');
    expect(route('alertname=ModelDataQuality', 'severity=ticket', 'model=fraud')).toBe('team-tickets');
  });

  it('the helper finds metric names and would catch an unknown one', () => {
    expect(metricNames('sum by (instance) (rate(driftwatch_ingest_dead_letters_total[5m])) / on(job) up{job="x"} > 0.05').sort())
      .toEqual(['driftwatch_ingest_dead_letters_total', 'up']);
    expect(unknownMetrics('rate(driftwatch_ingest_dead_letter_total[5m]) > 0')).toEqual(['driftwatch_ingest_dead_letter_total']);
    expect(unknownMetrics('avg(DCGM_FI_DEV_GPU_UTIL) > avg(DCGM_FI_DEV_NOT_A_FIELD)')).toEqual(['DCGM_FI_DEV_NOT_A_FIELD']);
  });
});
