// Starts a Prometheus-family server (Prometheus, Alertmanager) on a free loopback port, waits for /-/ready, and
// removes its temp dir when stopped or when it fails to start.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { freePort, waitFor } from '../../src/local/ports.js';

export interface Daemon {
  url: string;
  stop(): Promise<void>;
}

export async function startReadyDaemon(name: string, binary: string, args: (port: number) => string[], dir: string): Promise<Daemon> {
  const port = await freePort();
  const child = spawn(binary, args(port), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let exited = false;
  const gone = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(name, async () => {
      if (exited) throw new Error(`${name} exited during start: ${stderr}`);
      return (await fetch(`${url}/-/ready`)).ok;
    }, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
