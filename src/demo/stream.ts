// The demo's data: training rows (→ baseline) and two days of live predictions with a drift injected part-way,
// plus a few malformed messages, as Kafka message values.
import { simulateStream, trainingRows } from '../replay/index.js';

export const DEMO_MODEL = 'fraud';
const HOUR = 3_600_000;

export interface DemoStreamOptions {
  start: number;
  hours: number;
  driftAtHour: number;
  driftSigmas: number;
  seed: number;
}

/** CSV of training data as a data scientist would export it. */
export function trainingCsv(seed: number, rows: number): string {
  const lines = ['amount,score,country'];
  for (const r of trainingRows(seed, rows)) lines.push(`${(r.features.amount as number).toFixed(6)},${(r.features.score as number).toFixed(6)},${r.features.country}`);
  return `${lines.join('\n')}\n`;
}

/** Message values in timestamp order; every 2 000th slot is a malformed message that must be dead-lettered. */
export function* demoMessages(o: DemoStreamOptions): Generator<{ value: string; valid: boolean; timestamp: number }> {
  let i = 0;
  const stream = simulateStream({
    model: DEMO_MODEL, seed: o.seed, start: o.start, hours: o.hours,
    drift: { kind: 'mean_shift', sigmas: o.driftSigmas, start: o.start + o.driftAtHour * HOUR },
  });
  for (const p of stream) {
    i += 1;
    if (i % 2000 === 0) {
      const broken = i % 4000 === 0 ? '{"model": "fraud", "prediction_id": ' : JSON.stringify({ model: DEMO_MODEL, prediction_id: `bad-${i}`, timestamp: 'not-a-time', features: {} });
      yield { value: broken, valid: false, timestamp: p.timestamp };
    }
    const value = JSON.stringify({
      model: p.model, model_version: p.modelVersion, prediction_id: p.predictionId,
      timestamp: new Date(p.timestamp).toISOString(), features: p.features, prediction: p.prediction,
    });
    yield { value, valid: true, timestamp: p.timestamp };
  }
}
