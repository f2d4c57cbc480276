// npm run bench — every benchmark in turn, one JSON object keyed by benchmark (each has its baseline inside).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT, progress, runWorker } from './lib.js';

const BENCHES = ['ingest', 'stats', 'evaluate', 'alerts', 'collectors', 'report'];
const results: Record<string, unknown> = {};
for (const name of BENCHES) {
  if (!existsSync(resolve(ROOT, 'bench', `${name}.ts`))) continue;
  progress(`== bench:${name}`);
  try {
    results[name] = await runWorker(`${name}.ts`, []);
  } catch (error) {
    results[name] = { error: (error as Error).message };
  }
}
console.log(JSON.stringify(results, null, 2));
