// Decisions and transitions to feed the alerting tests.
import type { AlertKind } from '../../../src/alerting/index.js';
import type { StreamDecision } from '../../../src/alerting/lifecycle.js';

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 10, 1);

export function decision(outcome: 'raised' | 'resolved', hour: number, over: Partial<StreamDecision> = {}): StreamDecision {
  const kind: AlertKind = over.kind ?? 'feature_drift';
  return {
    model: 'fraud',
    feature: 'amount',
    kind,
    outcome,
    statistic: 'psi',
    value: outcome === 'raised' ? 0.31 : 0.01,
    reason: outcome === 'raised' ? 'PSI above tolerance 0.1' : 'PSI back under 0.05',
    severity: 'warning',
    window: { start: T0 + (hour - 1) * HOUR, end: T0 + hour * HOUR },
    baselineVersion: 'v3',
    evidence: { logEvidence: 12, logThreshold: 9, tolerance: 0.1, windows: 3, rows: 400, baselineRows: 20_000 },
    ...over,
  };
}
