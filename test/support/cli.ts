// Runs `driftwatch <args>` in-process, collecting what it prints; `--json` output is parsed when it exited 0.
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/main.js';

export async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), env: {} };
  const code = await main(args, io);
  return { code, out, err, json: args.includes('--json') && code === 0 ? JSON.parse(out.join('\n')) : undefined };
}
