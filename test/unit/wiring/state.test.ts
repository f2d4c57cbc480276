// Case 9: the state file is checked by shape; a wrong one is set aside like an unreadable one, naming the path.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkState, loadState, saveState, type ServiceState } from '../../../src/wiring/state.js';

const event = {
  alertId: 'dw-000000000000000000000001', seq: 1, status: 'firing', model: 'fraud', feature: 'amount', kind: 'feature_drift', severity: 'warning',
  statistic: 'psi', value: 0.4, reason: 'r', at: 1, startsAt: 1, window: { start: 0, end: 1 }, baselineVersion: 'v1', evidence: {}, silenced: false,
};
const valid: ServiceState = {
  version: 1, judge: { fraud: { baselineVersion: 'v1', streams: {} } },
  alerts: { alerts: [{ alertId: event.alertId, model: 'fraud', feature: 'amount', kind: 'feature_drift', status: 'firing', acknowledgedBy: null, last: event as never }], silences: [{ id: 'silence-1', model: 'fraud', startsAt: 0, endsAt: 9, by: 'sre', comment: '' }], nextSilence: 2 },
};

function dirWith(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dw-state-'));
  writeFileSync(join(dir, 'state.json'), content);
  return dir;
}

describe('state file', () => {
  it('round-trips a valid state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-state-'));
    saveState(dir, valid);
    expect(loadState(dir)).toEqual({ state: valid });
  });
  it.each([
    ['alerts of the wrong shape', { ...valid, alerts: { alerts: 'notalist' } }, /"state.alerts.alerts" must be a list/],
    ['an alert whose last transition is null', { ...valid, alerts: { ...valid.alerts, alerts: [{ ...valid.alerts.alerts[0], last: null }] } }, /"state.alerts.alerts\[0\].last" must be an object/],
    ['a silence without its end', { ...valid, alerts: { ...valid.alerts, silences: [{ id: 's', model: 'm', startsAt: 0, by: '', comment: '' }] } }, /"state.alerts.silences\[0\].endsAt" must be a number/],
    ['judge state not an object', { ...valid, judge: [] }, /"state.judge" must be an object/],
    ['models not a list', { ...valid, models: {} }, /"state.models" must be a list/],
    ['another version', { ...valid, version: 2 }, /"state.version" must be 1/],
    ['not JSON at all', '{"half": ', /JSON/],
  ])('%s: set aside with a warning naming the path', (_name, content, problem) => {
    const dir = dirWith(typeof content === 'string' ? content : JSON.stringify(content));
    const loaded = loadState(dir);
    expect(loaded.state).toBeNull();
    expect(loaded.problem).toMatch(problem);
    expect(loaded.problem).toContain(join(dir, 'state.json'));
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
    expect(readdirSync(dir).some((f) => f.startsWith('state.json.unreadable-'))).toBe(true);
  });
  it('no file is no state and no problem', () => {
    expect(loadState(mkdtempSync(join(tmpdir(), 'dw-state-')))).toEqual({ state: null });
    expect(() => checkState(valid)).not.toThrow();
  });
});
