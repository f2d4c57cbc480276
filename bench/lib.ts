// Shared bits of the benchmarks: synthetic messages and a child-process runner that reports peak RSS.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');

/** A message's features: `numeric` numbers (one in ~12 null when `nulls`), then `categorical` strings. */
export interface MessageShape { numeric: number; categorical?: number; nulls?: boolean }

const COUNTRIES = ['DE', 'FR', 'US', 'BR', 'IN', 'JP', 'NG', 'ES', 'MX', 'CA'];

/** A prediction message with `features` numeric features, or of the given shape (deterministic in i). */
export function benchMessage(i: number, features: number | MessageShape = 20, model = 'bench'): string {
  const shape = typeof features === 'number' ? { numeric: features } : features;
  const f: Record<string, number | string | null> = {};
  for (let k = 0; k < shape.numeric; k++) {
    const v = ((i * 7919 + k * 104729) % 10007) / 100;
    f[`f${k}`] = shape.nulls && (i + k) % 12 === 0 ? null : v;
  }
  for (let k = 0; k < (shape.categorical ?? 0); k++) f[`c${k}`] = `${COUNTRIES[(i * 31 + k * 7) % COUNTRIES.length]}-${k}`;
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

interface ProfileNode { id: number; callFrame: { functionName: string; url: string } }

/** Which ingest stage a profiled function belongs to (by its file, and for JSON parsing its name). */
function stageOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (functionName === '(idle)') return 'idle (waiting for the broker or ClickHouse)';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8 and native, unattributed';
  if (url.includes('/src/ingest/decode.ts')) return /^(parseJson|messageText)/.test(functionName) ? 'JSON parse' : 'validation';
  if (url.includes('/src/ingest/rows.ts') || url.includes('/src/ingest/messages.ts')) return 'row building';
  if (url.includes('/src/store/insert-')) return 'encoding for ClickHouse';
  if (url.includes('/src/ingest/writer.ts')) return 'group commit (writer)';
  if (url.includes('/src/ingest/kafka.ts')) return 'Kafka ingest (batches, commits)';
  if (url.includes('kafkajs')) return 'kafkajs (fetch, protocol decoding, commits)';
  if (url.includes('@clickhouse') || url.includes('chdb') || url.includes('/src/store/')) return 'insert client';
  if (url.startsWith('node:')) return 'Node internals (sockets, streams, buffers)';
  return 'other';
}

/** Self time by ingest stage from the .cpuprofile files in `dir` (seconds and share). */
export function cpuProfileByStage(dir: string): Record<string, { seconds: number; share: number }> {
  const byStage = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    const stage = new Map(profile.nodes.map((n) => [n.id, stageOf(n.callFrame)]));
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      byStage.set(stage.get(id)!, (byStage.get(stage.get(id)!) ?? 0) + us);
      total += us;
    });
  }
  return Object.fromEntries([...byStage].sort((a, b) => b[1] - a[1]).map(([k, us]) => [k, { seconds: +(us / 1e6).toFixed(3), share: +(us / total).toFixed(3) }]));
}
