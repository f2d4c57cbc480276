// What the service must remember across restarts beyond ClickHouse: the sequential tests' evidence, the alert
// book (which alerts are firing) and the models declared through the API. One JSON file in the data dir, replaced atomically (write, fsync, rename).
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertBookSnapshot } from '../alerting/index.js';
import type { JudgeState } from '../evaluate/index.js';

export interface ServiceState {
  version: 1;
  judge: Record<string, JudgeState>;
  alerts: AlertBookSnapshot;
  /** models declared through the API (PUT /v1/models/:id), in their YAML/JSON form; absent in older files */
  models?: Array<Record<string, unknown>>;
}

export const STATE_FILE = 'state.json';

/** The saved state, or null when there is none; an unreadable file is set aside (never silently overwritten). */
export function loadState(dir: string): { state: ServiceState | null; problem?: string } {
  const path = join(dir, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { state: null };
  }
  try {
    const state = JSON.parse(text) as ServiceState;
    if (state?.version !== 1 || typeof state.judge !== 'object' || typeof state.alerts !== 'object') throw new Error('not a driftwatch state file');
    if (state.models !== undefined && !Array.isArray(state.models)) throw new Error('"models" is not a list');
    return { state };
  } catch (error) {
    const aside = `${path}.unreadable-${Date.now()}`;
    renameSync(path, aside);
    return { state: null, problem: `${path}: ${(error as Error).message}; moved to ${aside}` };
  }
}

export function saveState(dir: string, state: ServiceState): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, STATE_FILE);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
