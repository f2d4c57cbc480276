// Grafana dashboards as code: every dashboard driftwatch ships, and the build that writes them as JSON
// into dashboards/generated/ (mounted by Grafana's file provisioning, dashboards/provisioning/).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dashboard } from '@grafana/schema';
import { driftwatchService } from './driftwatch-service.js';
import { featureDrilldown } from './feature-drilldown.js';
import { gpuFleet } from './gpu-fleet.js';
import { modelDrift } from './model-drift.js';
import { modelQuality } from './model-quality.js';
import { nccl } from './nccl.js';

export const DASHBOARDS: readonly Dashboard[] = [modelDrift, featureDrilldown, modelQuality, gpuFleet, nccl, driftwatchService];

export const GENERATED_DIR = new URL('./generated/', import.meta.url).pathname;

export const fileName = (d: Dashboard) => `${d.uid}.json`;
export const render = (d: Dashboard) => `${JSON.stringify(d, null, 2)}\n`;

/** Writes every dashboard to dir; returns the files written. */
export function buildDashboards(dir = GENERATED_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  return DASHBOARDS.map((d) => {
    const file = join(dir, fileName(d));
    writeFileSync(file, render(d));
    return file;
  });
}

/** The dashboards whose file in dir is missing or differs from what the code generates. */
export function staleDashboards(dir = GENERATED_DIR): string[] {
  return DASHBOARDS.filter((d) => {
    try {
      return readFileSync(join(dir, fileName(d)), 'utf8') !== render(d);
    } catch {
      return true;
    }
  }).map(fileName);
}
