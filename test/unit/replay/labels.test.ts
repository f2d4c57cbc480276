import { describe, expect, it } from 'vitest';
import type { LabelEvent, Prediction } from '../../../src/domain/index.js';
import { DEFAULT_POLICY, SeededRandom, readLabelLines, referenceFromRows, replayJsonLines, simulateStream, trainingRows, type ModelReference } from '../../../src/replay/index.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 9, 1);
const DROP_AT = START + 30 * HOUR;

function reference(): ModelReference {
  return { ...referenceFromRows('fraud', 'v7', trainingRows(11, 20_000)), accuracy: { value: 0.9, rows: 20_000 } };
}

/** 60 hours of predictions, correct with probability 0.9 (0.78 from hour 30 when `drop`), and their labels. */
function stream(seed: number, drop: boolean): { predictions: Prediction[]; labels: LabelEvent[] } {
  const rnd = new SeededRandom(seed * 31 + 7);
  const predictions: Prediction[] = [];
  const labels: LabelEvent[] = [];
  for (const p of simulateStream({ model: 'fraud', seed, start: START, hours: 60, drift: { kind: 'none' }, minPerHour: 20, peakPerHour: 300 })) {
    const accuracy = drop && p.timestamp >= DROP_AT ? 0.78 : 0.9;
    const label = rnd.next() < 0.5 ? 1 : 0;
    const hit = rnd.next() < accuracy;
    predictions.push({ ...p, prediction: hit === (label === 1) ? 0.9 : 0.1 });
    labels.push({ model: 'fraud', predictionId: p.predictionId, label, timestamp: p.timestamp });
  }
  return { predictions, labels };
}

const policy = { ...DEFAULT_POLICY, streams: 4 };
const lines = (xs: unknown[]) => xs.map((x) => JSON.stringify(x));
/** prediction messages, with their label inside when `inline` is given */
const predictionLines = (ps: Prediction[], inline?: LabelEvent[]) =>
  lines(ps.map((p, i) => ({ model: p.model, prediction_id: p.predictionId, timestamp: p.timestamp, features: p.features, prediction: p.prediction, ...(inline ? { label: inline[i].label } : {}) })));
const labelLines = (ls: LabelEvent[]) => lines(ls.map((l) => ({ model: l.model, prediction_id: l.predictionId, label: l.label, timestamp: l.timestamp })));
const quality = (events: Array<{ feature: string; status: string; at: number }>) => events.filter((e) => e.feature === '__accuracy__').map((e) => [e.status, (e.at - START) / HOUR]);

describe('replay --labels', () => {
  it('late labels, landing in any order, decide the accuracy test exactly as labels in the messages would', async () => {
    const { predictions, labels } = stream(4, true);
    const inline = await replayJsonLines(predictionLines(predictions, labels), { references: new Map([['fraud', reference()]]), policy, windowMs: HOUR });
    // every label lands 20–44 h after its prediction, in an order unrelated to the windows
    const rnd = new SeededRandom(99);
    const late = labels.map((l) => ({ ...l, timestamp: l.timestamp + 20 * HOUR + Math.floor(rnd.next() * 24 * HOUR) }));
    const shuffled = [...late].sort(() => rnd.next() - 0.5);
    const replayed = await replayJsonLines(predictionLines(predictions), { references: new Map([['fraud', reference()]]), policy, windowMs: HOUR, labels: { labelHorizonMs: 72 * HOUR } }, await readLabelLines(labelLines(shuffled)));
    const firing = quality(inline.events);
    expect(firing.length).toBe(1);
    expect(firing[0][0]).toBe('firing');
    expect(firing[0][1] as number).toBeGreaterThan(30);
    // the same window decides (the event is at the window's end), however late and shuffled its labels came
    expect(quality(replayed.events)).toEqual(firing);
    expect(replayed.labels).toMatchObject({ applied: labels.length, unmatched: 0, unlabelled: 0 });
    expect(replayed.labels.judged + replayed.labels.judgedAtEnd).toBe(60);
  }, 30_000);

  it('a model without a drop never pages, however its labels arrive', async () => {
    for (const seed of [1, 2, 3]) {
      const { predictions, labels } = stream(seed, false);
      const late = labels.map((l, i) => ({ ...l, timestamp: l.timestamp + ((i * 7919) % 48) * HOUR }));
      const s = await replayJsonLines(predictionLines(predictions), { references: new Map([['fraud', reference()]]), policy, windowMs: HOUR, labels: { labelHorizonMs: 72 * HOUR } }, await readLabelLines(labelLines(late)));
      expect(s.events).toEqual([]);
    }
  }, 30_000);

  it('windows whose labels never come are counted, not judged', async () => {
    const { predictions, labels } = stream(5, true);
    // no label at all for predictions from hour 30 on: the drop can never be seen, and nothing pages
    const kept = labels.filter((l, i) => predictions[i].timestamp < DROP_AT);
    const s = await replayJsonLines(predictionLines(predictions), { references: new Map([['fraud', reference()]]), policy, windowMs: HOUR, labels: { labelHorizonMs: 6 * HOUR } }, await readLabelLines(labelLines(kept)));
    expect(s.events).toEqual([]);
    expect(s.labels.unlabelled).toBe(30);
    expect(s.labels.judged + s.labels.judgedAtEnd).toBe(30);
  });

  it('names the line of a bad label', async () => {
    await expect(readLabelLines(['{"model":"fraud","prediction_id":"a","label":1,"timestamp":1}', '{"model":"fraud"}'])).rejects.toThrow(/^labels line 2: /);
  });
});
