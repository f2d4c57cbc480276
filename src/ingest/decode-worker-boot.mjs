// Starts a decode thread: from the TypeScript sources (as bin/driftwatch.js runs them) through tsx, else compiled.
import { workerData } from 'node:worker_threads';

if (workerData.tsx) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
