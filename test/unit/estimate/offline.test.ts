// Estimates without labels and multivariate drift end to end: `baseline build --prediction --label` learns the
// calibration and PCA, `drift --json` reports performance_estimate and multivariate for current files. Data are
// seeded simulations; the checks are what must hold (realized quality inside the interval under covariate shift,
// outside under concept drift; a correlation change flagged, a fresh training-distribution sample not).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.js';
import { cbpeSuite } from '../../../src/estimate/simulate.js';
import { parseBaseline } from '../../../src/baseline/index.js';
import { SeededRandom } from '../../../src/stats/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'dw-estimate-'));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Rows of a and b (correlated with ρ, same N(0,1) marginals whatever ρ), c (independent), a score over-confident in
 * a + c, and its label. `shift` moves a and c (covariate shift); `slope` is P(y | x)'s steepness (concept).
 */
function csv(name: string, rows: number, seed: number, o: { rho?: number; shift?: number; slope?: number; labels?: boolean } = {}): string {
  const rng = new SeededRandom(seed);
  const rho = o.rho ?? 0.9;
  const lines = [o.labels === false ? 'a,b,c,score' : 'a,b,c,score,y'];
  for (let i = 0; i < rows; i++) {
    const a = rng.normal() + (o.shift ?? 0);
    const b = rho * (a - (o.shift ?? 0)) + Math.sqrt(1 - rho * rho) * rng.normal();
    const c = rng.normal() + (o.shift ?? 0);
    const x = a + c;
    const y = rng.next() < sigmoid((o.slope ?? 1.2) * x - 0.3) ? 1 : 0;
    const score = sigmoid(2.5 * x - 0.6).toFixed(6);
    lines.push(o.labels === false ? `${a},${b},${c},${score}` : `${a},${b},${c},${score},${y}`);
  }
  const path = join(tmp, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const train = csv('train.csv', 6000, 1);
const baselinePath = join(tmp, 'baseline.json');

describe('baseline build learns a calibration and a PCA; drift --json estimates', () => {
  it('stores calibration and multivariate in the baseline, which parses back', async () => {
    const { code } = await cli('baseline', 'build', '--input', train, '--model', 'm', '--prediction', 'score', '--label', 'y', '--out', baselinePath);
    expect(code).toBe(0);
    const profile = parseBaseline(JSON.parse(readFileSync(baselinePath, 'utf8')), baselinePath);
    expect(profile.calibration?.method).toBe('histogram_isotonic');
    expect(profile.calibration?.edges).toContain(0.5);
    expect(profile.calibration?.rows.reduce((a, b) => a + b, 0)).toBe(6000);
    expect(profile.multivariate?.features).toEqual(['a', 'b', 'c']);
    // eigenvalues 1.9, 1, 0.1 of 3: two components reach 65 %
    expect(profile.multivariate?.components.length).toBe(2);
  });

  it('covariate shift, no labels: the estimate is reported; with labels, realized accuracy lies in its interval', async () => {
    const unlabelled = await cli('drift', '--reference', baselinePath, '--current', csv('cur-nolabels.csv', 2000, 2, { shift: 0.6, labels: false }), '--json');
    expect(unlabelled.code).toBe(0);
    const e = unlabelled.json.performance_estimate;
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'roc_auc']) {
      expect(e[k]).toBeGreaterThan(0);
      expect(e.interval[k][0]).toBeLessThanOrEqual(e[k]);
      expect(e.interval[k][1]).toBeGreaterThanOrEqual(e[k]);
    }
    expect(e.rows).toBe(2000);
    expect(e.realized).toBeUndefined();
    const labelled = await cli('drift', '--reference', baselinePath, '--current', csv('cur-labels.csv', 2000, 2, { shift: 0.6 }), '--json');
    const l = labelled.json.performance_estimate;
    expect(l.accuracy).toBe(e.accuracy); // same scores, same estimate: the labels do not enter it
    expect(l.realized.accuracy).toBeGreaterThanOrEqual(l.interval.accuracy[0]);
    expect(l.realized.accuracy).toBeLessThanOrEqual(l.interval.accuracy[1]);
    expect(labelled.json.columns.map((c: { column: string }) => c.column)).not.toContain('y');
  });

  it('the text output names the estimate, its interval and the multivariate verdict', async () => {
    const { code, out } = await cli('drift', '--reference', baselinePath, '--current', csv('cur-text.csv', 500, 8, { rho: 0 }));
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/estimated without labels \(CBPE, 500 rows, 95 % interval\): accuracy 0\.\d{4} \[0\.\d{4}, 0\.\d{4}\]/);
    expect(out.join('\n')).toMatch(/multivariate \(PCA reconstruction error\): .*DRIFT/);
  });

  it('concept drift (P(y | x) flatter): realized accuracy falls outside the interval — why labels are still checked', async () => {
    const { json } = await cli('drift', '--reference', baselinePath, '--current', csv('cur-concept.csv', 2000, 3, { slope: 0.3 }), '--json');
    const e = json.performance_estimate;
    expect(e.realized.accuracy).toBeLessThan(e.interval.accuracy[0]);
  });

  it('multivariate: a correlation change with unchanged marginals is flagged, a training-distribution sample is not', async () => {
    const same = await cli('drift', '--reference', baselinePath, '--current', csv('cur-same.csv', 2000, 4), '--json');
    expect(same.json.multivariate.drift).toBe(false);
    expect(same.json.drift).toBe(false);
    const decorrelated = await cli('drift', '--reference', baselinePath, '--current', csv('cur-rho.csv', 2000, 5, { rho: 0 }), '--json');
    const m = decorrelated.json.multivariate;
    expect(m.drift).toBe(true);
    expect(m.reconstruction_error).toBeGreaterThan(m.baseline_mean + 3 * m.baseline_std);
    // every univariate test on a and b stays quiet: the marginals did not move
    const byName = new Map(decorrelated.json.columns.map((c: { column: string; drift: boolean }) => [c.column, c.drift]));
    expect(byName.get('a')).toBe(false);
    expect(byName.get('b')).toBe(false);
  });

  it('a data-file reference or an old baseline reports both parts as null with the reason', async () => {
    const { json } = await cli('drift', '--reference', train, '--current', csv('cur-any.csv', 300, 6), '--json');
    expect(json.performance_estimate).toBeNull();
    expect(json.multivariate).toBeNull();
    expect(json.estimates_unavailable.performance_estimate).toMatch(/baseline/);
    const old = JSON.parse(readFileSync(baselinePath, 'utf8'));
    delete old.calibration;
    delete old.multivariate;
    const oldPath = join(tmp, 'old.json');
    writeFileSync(oldPath, JSON.stringify(old));
    const r = await cli('drift', '--reference', oldPath, '--current', csv('cur-any2.csv', 300, 7), '--json');
    expect(r.code).toBe(0);
    expect(r.json.performance_estimate).toBeNull();
    expect(r.json.estimates_unavailable.multivariate).toMatch(/no PCA/);
  });
});

describe('seeded CBPE suite (bias and interval coverage)', () => {
  it('covariate shift: bias within 0.01 and about 95 % coverage of every metric', () => {
    const r = cbpeSuite({ referenceRows: 3000, currentRows: 800, shift: 0.5 }, 60);
    for (const [name, m] of Object.entries(r.metrics)) {
      expect(Math.abs(m.bias), name).toBeLessThan(0.01);
      expect(m.coverage, name).toBeGreaterThanOrEqual(0.85);
    }
  });

  it('concept drift: the interval misses nearly always', () => {
    const r = cbpeSuite({ referenceRows: 3000, currentRows: 800, shift: 0, conceptDrift: true }, 20);
    expect(r.metrics.accuracy.coverage).toBeLessThan(0.2);
    expect(r.metrics.accuracy.bias).toBeGreaterThan(0.05);
  });
});
