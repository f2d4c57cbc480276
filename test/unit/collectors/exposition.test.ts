import { describe, expect, it } from 'vitest';
import { parseExposition, parseValue } from '../../../src/collectors/exposition.js';
import { fixture } from './fixtures.js';
import { mulberry32, pick } from './prng.js';

describe('parseExposition', () => {
  it('reads a dcgm-exporter 4.x page: 26 gauge/counter families × 2 GPUs + 2 XID lines, with types', () => {
    const expo = parseExposition(fixture('dcgm-exporter-v4.prom'));
    expect(expo.errors).toEqual([]);
    expect(expo.samples).toHaveLength(26 * 2 + 2);
    expect(expo.types.get('DCGM_FI_DEV_PCIE_REPLAY_COUNTER')).toBe('counter');
    expect(expo.types.get('DCGM_FI_DEV_GPU_UTIL')).toBe('gauge');
    expect(expo.help.get('DCGM_FI_DEV_GPU_TEMP')).toBe('GPU temperature (in C).');
    const xid = expo.samples.find((s) => s.name === 'DCGM_FI_DEV_XID_ERRORS' && s.labels.gpu === '1');
    expect(xid).toMatchObject({ value: 79, labels: { err_code: '79', err_msg: 'GPU has fallen off the bus', hostname: 'gpu-node-1' } });
  });

  it('reads old label sets with spaces after commas and CRLF, and reports the broken line instead of throwing', () => {
    const expo = parseExposition(fixture('dcgm-exporter-v2-old-labels.prom'));
    expect(expo.samples).toHaveLength(12);
    expect(expo.errors).toHaveLength(1);
    expect(expo.errors[0].line).toBe(6);
    const temp = expo.samples[0];
    expect(temp.labels).toMatchObject({ gpu: '0', uuid: 'GPU-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', pod_name: 'etl-5', Hostname: 'old-node' });
    expect(expo.samples[1].labels.Hostname).toBe('old-node'); // the CRLF line
  });

  it('handles escapes, NaN/Inf, timestamps, exemplars, empty label sets, trailing commas and UTF-8 names', () => {
    const text = [
      'a{l="x\\"y\\\\z\\nw"} 1',
      'b NaN',
      'c +Inf 1700000000000',
      'd{} -Inf',
      'e{x="1",} 2.5e3 # {trace_id="abc"} 1.0',
      '{"my.metric", env="prod"} 7',
      '  f 3  ',
      'g{x="1" , y = "2"} 4',
    ].join('\n');
    const expo = parseExposition(text);
    expect(expo.errors).toEqual([]);
    const [a, b, c, d, e, f, g, h] = expo.samples;
    expect(a.labels.l).toBe('x"y\\z\nw');
    expect(Number.isNaN(b.value)).toBe(true);
    expect(c).toMatchObject({ value: Infinity, timestampMs: 1700000000000 });
    expect(d.value).toBe(-Infinity);
    expect(e).toMatchObject({ name: 'e', value: 2500, labels: { x: '1' } });
    expect(f).toMatchObject({ name: 'my.metric', value: 7, labels: { env: 'prod' } });
    expect(g).toMatchObject({ name: 'f', value: 3 });
    expect(h).toMatchObject({ labels: { x: '1', y: '2' }, value: 4 });
  });

  it('rejects what Prometheus rejects, line by line', () => {
    const bad = ['x{a="1"', 'x{a=1} 2', 'x 0x10', 'x', 'x 1 2 3', '# TYPE x sometype', 'x{=""} 1', '9x 1', 'x 1 notatime'];
    const expo = parseExposition(bad.join('\n') + '\nok 1\n');
    expect(expo.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(expo.samples).toEqual([{ name: 'ok', labels: {}, value: 1 }]);
  });

  it('parseValue follows Go ParseFloat for the forms exporters print', () => {
    expect(parseValue('%d'.replace('%d', '42'))).toBe(42);
    expect(parseValue('0.000000')).toBe(0);
    expect(parseValue('1e-3')).toBe(0.001);
    expect(parseValue('.5')).toBe(0.5);
    expect(parseValue('')).toBeUndefined();
    expect(parseValue('1,5')).toBeUndefined();
  });
});

describe('parseExposition fuzz (seeded)', () => {
  const valid = fixture('dcgm-exporter-v4.prom') + fixture('dcgm-exporter-v2-old-labels.prom');

  it('never throws and stays linear on random bytes', () => {
    const rand = mulberry32(20261124);
    for (let round = 0; round < 300; round++) {
      const len = Math.floor(rand() * 2000);
      let s = '';
      for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(rand() * 128));
      const expo = parseExposition(s);
      expect(expo.samples.length + expo.errors.length).toBeLessThanOrEqual(s.split('\n').length);
    }
  });

  it('never throws on mutated valid input, and unmutated lines still parse', () => {
    const rand = mulberry32(7);
    const alphabet = ['{', '}', '"', '\\', ',', '=', ' ', '\n', '#', 'e', '-', '.', '\r', '\t', 'NaN', 'x'];
    const baseline = parseExposition(valid).samples.length;
    for (let round = 0; round < 200; round++) {
      const chars = valid.split('');
      const edits = 1 + Math.floor(rand() * 20);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(rand() * chars.length);
        const op = rand();
        if (op < 0.4) chars[at] = pick(rand, alphabet);
        else if (op < 0.7) chars.splice(at, 1);
        else chars.splice(at, 0, pick(rand, alphabet));
      }
      const started = performance.now();
      const expo = parseExposition(chars.join(''));
      expect(performance.now() - started).toBeLessThan(1000);
      // each edit damages at most a few lines
      expect(expo.samples.length).toBeGreaterThan(baseline - 3 * edits - 5);
    }
  });
});
