// Runs nvidia-smi on hosts without DCGM: one query per call, or a `-lms` stream read line by line.
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { DEFAULT_QUERY, SmiCsvReader } from './nvidia-smi.js';
import type { GpuSample } from './types.js';

export interface SmiRunOptions {
  /** path or name of the binary (default "nvidia-smi" on PATH) */
  bin?: string;
  fields?: readonly string[];
  host?: string;
  timeoutMs?: number;
}

function args(fields: readonly string[], loopMs?: number): string[] {
  const a = [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
  if (loopMs !== undefined) a.push(`-lms=${loopMs}`);
  return a;
}

/** nvidia-smi prints local time; this process runs on the same host, so its offset applies. */
function localOffsetMinutes(): number {
  return -new Date().getTimezoneOffset();
}

/** One poll: spawns nvidia-smi, waits for it, returns the samples (rejects on spawn failure, timeout or exit ≠ 0). */
export function queryNvidiaSmi(opts: SmiRunOptions = {}): Promise<{ samples: GpuSample[]; errors: string[] }> {
  const fields = opts.fields ?? DEFAULT_QUERY;
  const reader = new SmiCsvReader({ host: opts.host ?? hostname(), fields, utcOffsetMinutes: localOffsetMinutes(), now: Date.now() });
  return new Promise((resolve, reject) => {
    const child = spawn(opts.bin ?? 'nvidia-smi', args(fields), { stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 10_000 });
    const samples: GpuSample[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    createInterface({ input: child.stdout }).on('line', (line) => samples.push(...reader.line(line)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ samples, errors: reader.errors.map((e) => `line ${e.line}: ${e.message}`) });
      else reject(new Error(`nvidia-smi exited ${signal ?? code}: ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}

/** A long-running `nvidia-smi -lms` stream; restarted by the caller when it exits. */
export class NvidiaSmiStream {
  private child: ReturnType<typeof spawn> | undefined;

  constructor(private readonly opts: SmiRunOptions & { intervalMs: number; onSamples: (s: GpuSample[]) => void; onExit?: (reason: string) => void }) {}

  start(): void {
    const fields = this.opts.fields ?? DEFAULT_QUERY;
    const reader = new SmiCsvReader({ host: this.opts.host ?? hostname(), fields, utcOffsetMinutes: localOffsetMinutes(), now: Date.now() });
    const child = spawn(this.opts.bin ?? 'nvidia-smi', args(fields, this.opts.intervalMs), { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const s = reader.line(line);
      if (s.length) this.opts.onSamples(s);
    });
    child.on('error', (e) => this.opts.onExit?.(e.message));
    child.on('close', (code, signal) => this.opts.onExit?.(`exited ${signal ?? code}`));
  }

  stop(): void {
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }
}
