// A decode thread (decode-pool.ts): answers each batch it is sent with decodeMessages' report.
import { parentPort } from 'node:worker_threads';
import { answer, type DecodeRequest } from './decode-pool.js';

parentPort!.on('message', (r: DecodeRequest) => {
  if (process.env.DRIFTWATCH_FAILPOINT === 'decode-worker-exit') process.exit(3); // test hook: a thread that dies
  try {
    const { answer: a, transfer } = answer(r);
    parentPort!.postMessage(a, transfer);
  } catch (error) {
    parentPort!.postMessage({ id: r.id, error: (error as Error)?.message ?? String(error) });
  }
});
