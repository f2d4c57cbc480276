// Runs `driftwatch serve` as a real child process (so a test can SIGKILL or SIGTERM it).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface ServeProcess {
  child: ChildProcess;
  logs(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  started: Promise<void>;
}

const BIN = resolve(__dirname, '../../bin/driftwatch.js');

export function spawnServe(env: Record<string, string>): ServeProcess {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, DRIFTWATCH_PORT: '0', DRIFTWATCH_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  let onStarted: () => void;
  const started = new Promise<void>((r) => (onStarted = r));
  const take = (d: Buffer) => {
    logs += d.toString();
    if (logs.includes('"service_started"')) onStarted();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, logs: () => logs, exited, started };
}
