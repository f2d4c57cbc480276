// What the service must remember across restarts beyond ClickHouse: the sequential tests' evidence, the alert
// book (which alerts are firing, silences) and the models declared through the API. One JSON file in the data dir,
// replaced atomically (write, fsync, rename). A file that cannot be read or has the wrong shape is set aside
// (renamed, never overwritten) and the service starts clean, warning with both paths.
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

type Check = (v: unknown, at: string) => void;

const fail = (at: string, what: string): never => {
  throw new Error(`"${at}" must be ${what}`);
};
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const object: Check = (v, at) => void (isRecord(v) || fail(at, 'an object'));
const string: Check = (v, at) => void (typeof v === 'string' || fail(at, 'a string'));
const number: Check = (v, at) => void (typeof v === 'number' && !Number.isNaN(v) || fail(at, 'a number'));
const orNull = (check: Check): Check => (v, at) => void (v === null || check(v, at));
const optional = (check: Check): Check => (v, at) => void (v === undefined || check(v, at));
const oneOf = (...values: string[]): Check => (v, at) => void (values.includes(v as string) || fail(at, `one of ${values.join(', ')}`));
const list = (item: Check): Check => (v, at) => (Array.isArray(v) ? v.forEach((x, i) => item(x, `${at}[${i}]`)) : fail(at, 'a list'));
const shape = (fields: Record<string, Check>): Check => (v, at) => {
  object(v, at);
  for (const [name, check] of Object.entries(fields)) check((v as Record<string, unknown>)[name], `${at}.${name}`);
};

// Every field a restored alert or silence is read by (the API, the sinks, the lifecycle).
const alertEvent = shape({
  alertId: string, seq: number, status: string, model: string, feature: string, kind: string, severity: string,
  statistic: string, value: number, reason: string, at: number, startsAt: number,
  window: shape({ start: number, end: number }), baselineVersion: string, evidence: object, silenced: (v, at) => void (typeof v === 'boolean' || fail(at, 'true or false')),
});
const alert = shape({ alertId: string, model: string, feature: string, kind: string, status: oneOf('firing', 'resolved'), acknowledgedBy: orNull(string), last: alertEvent });
const silence = shape({ id: string, model: string, feature: optional(string), startsAt: number, endsAt: number, by: string, comment: string });
const stateShape = shape({
  version: (v, at) => void (v === 1 || fail(at, '1')),
  judge: (v, at) => {
    object(v, at);
    for (const [model, s] of Object.entries(v as object)) shape({ baselineVersion: string, streams: object })(s, `${at}.${model}`);
  },
  alerts: shape({ alerts: list(alert), silences: list(silence), nextSilence: number }),
  models: optional(list(object)),
});

/** Throws naming the first field that is missing or of the wrong type. */
export function checkState(value: unknown): ServiceState {
  stateShape(value, 'state');
  return value as ServiceState;
}

/** Renames an unusable state file next to itself; the problem names both paths. */
export function setAside(dir: string, why: string): string {
  const path = join(dir, STATE_FILE);
  const aside = `${path}.unreadable-${Date.now()}`;
  renameSync(path, aside);
  return `${path}: ${why}; moved to ${aside}`;
}

/** The saved state, or null when there is none; an unreadable or ill-shaped file is set aside. */
export function loadState(dir: string): { state: ServiceState | null; problem?: string } {
  let text: string;
  try {
    text = readFileSync(join(dir, STATE_FILE), 'utf8');
  } catch {
    return { state: null };
  }
  try {
    return { state: checkState(JSON.parse(text)) };
  } catch (error) {
    return { state: null, problem: setAside(dir, `not a driftwatch state file (${(error as Error).message})`) };
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
