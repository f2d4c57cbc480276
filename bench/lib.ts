// Shared bits of the benchmarks: synthetic messages and a child-process runner that reports peak RSS.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');

/** A prediction message with `features` numeric features (deterministic in i). */
export function benchMessage(i: number, features = 20, model = 'bench'): string {
  const f: Record<string, number> = {};
  for (let k = 0; k < features; k++) f[`f${k}`] = ((i * 7919 + k * 104729) % 10007) / 100;
  return JSON.stringify({ model, model_version: '1', prediction_id: `b-${i}`, timestamp: 1764000000000 + i, features: f, prediction: (i % 100) / 100 });
}

/** Runs `bench/<script>` in its own Node process (tsx) and parses the last JSON line it prints. */
export async function runWorker<T>(script: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'bench', script), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${code}`);
  // The result is the last JSON object printed, on one line or pretty-printed from a line starting with "{".
  const text = out.trim();
  const start = text.startsWith('{') ? Math.max(0, text.lastIndexOf('\n{') + 1) : text.lastIndexOf('\n{') + 1;
  if (start === 0 && !text.startsWith('{')) throw new Error(`${script} printed no JSON`);
  return JSON.parse(text.slice(start)) as T;
}

export function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}
