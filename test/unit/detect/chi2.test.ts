import { describe, expect, it } from 'vitest';
import { chi2LogPdf, logGamma, noncentralChi2LogPdf } from '../../../src/detect/chi2.js';
import reference from '../../fixtures/detect/ncx2.json' with { type: 'json' };

describe('χ² densities against scipy', () => {
  it('ln Γ matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9); // ln 100!
  });
  it.each(reference.cases)('logpdf(x=$x; df=$df, nc=$nc)', ({ x, df, nc, logpdf }) => {
    const got = nc === 0 ? chi2LogPdf(x, df) : noncentralChi2LogPdf(x, df, nc);
    expect(Math.abs(got - logpdf)).toBeLessThan(1e-8 * Math.max(1, Math.abs(logpdf)));
  });
});
