// Every parser meets garbage: random bytes and mutated real captures must never throw (seeded, reproducible).
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNcclDebugLog } from '../../../src/collectors/nccl-debug.js';
import { parseNcclText } from '../../../src/collectors/nccl-format.js';
import { parseInspectorJsonl, parseInspectorProm } from '../../../src/collectors/nccl-inspector.js';
import { parseNcclTestsText } from '../../../src/collectors/nccl-tests.js';
import { parseSmiCsv } from '../../../src/collectors/nvidia-smi.js';
import { NvidiaSmiStream } from '../../../src/collectors/smi-runner.js';
import type { GpuSample } from '../../../src/collectors/types.js';
import { FIXTURES, fixture } from './fixtures.js';
import { mulberry32, pick } from './prng.js';

function mutate(text: string, rand: () => number, edits: number): string {
  const alphabet = [',', ' ', '\n', '[', ']', '{', '}', '"', ':', '0x', 'N/A', '-', '#', '\\', 'via ', 'NCCL INFO '];
  const chars = text.split('');
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(rand() * chars.length);
    const op = rand();
    if (op < 0.4) chars[at] = pick(rand, alphabet);
    else if (op < 0.7) chars.splice(at, 1);
    else chars.splice(at, 0, pick(rand, alphabet));
  }
  return chars.join('');
}

const randomText = (rand: () => number, len: number) => Array.from({ length: len }, () => String.fromCharCode(Math.floor(rand() * 128))).join('');

const PARSERS: Array<[string, string, (text: string) => unknown]> = [
  ['nvidia-smi CSV', 'gpu-h100/query-gpu-under-load.csv', (t) => parseSmiCsv(t, { host: 'h', now: 0 })],
  ['NCCL_DEBUG log', 'gpu-h100/nccl-debug.log', (t) => parseNcclDebugLog(t, { ts: 0 })],
  ['nccl-tests text', 'nccl-tests-allreduce-8gpu.txt', (t) => parseNcclTestsText(t, { ts: 0 })],
  ['Inspector JSONL', 'inspector/gpu-node-1-pid4242.log', (t) => parseInspectorJsonl(t, 0)],
  ['Inspector textfile', 'inspector-prom/nccl_inspector.prom', (t) => parseInspectorProm(t, 0)],
  ['format detection', 'nccl-tests-allreduce-8gpu.json', (t) => {
    try {
      return parseNcclText(t, { ts: 0 });
    } catch (e) {
      // a damaged nccl-tests JSON document is reported as an Error, which the CLI turns into exit 2
      if (e instanceof SyntaxError || (e instanceof Error && /nccl-tests JSON/.test(e.message))) return undefined;
      throw e;
    }
  }],
];

describe.each(PARSERS)('%s', (_name, file, parse) => {
  it('never throws on random text or mutated captures', () => {
    const rand = mulberry32(file.length * 7919);
    const original = fixture(file);
    for (let round = 0; round < 60; round++) {
      expect(() => parse(randomText(rand, Math.floor(rand() * 3000)))).not.toThrow();
      expect(() => parse(mutate(original, rand, 1 + Math.floor(rand() * 30)))).not.toThrow();
    }
  });
});

describe('NvidiaSmiStream (fake nvidia-smi -lms)', () => {
  it('passes -lms, delivers samples line by line and reports the exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-smi-stream-'));
    const fake = join(dir, 'nvidia-smi');
    writeFileSync(fake, `#!/bin/sh\necho "$@" > "${dir}/args"\nhead -n 4 "${FIXTURES}gpu-h100/query-gpu-under-load.csv"\n`);
    chmodSync(fake, 0o755);
    const got: GpuSample[] = [];
    const exited = await new Promise<string>((resolve) => {
      new NvidiaSmiStream({ bin: fake, host: 'n', intervalMs: 500, onSamples: (s) => void got.push(...s), onExit: resolve }).start();
    });
    expect(exited).toBe('exited 0');
    expect(readFileSync(join(dir, 'args'), 'utf8')).toContain('-lms=500');
    expect(got.filter((s) => s.metric === 'DCGM_FI_DEV_GPU_UTIL')).toHaveLength(3);
  });
});
