// Starts Debian's real prometheus-alertmanager on a free loopback port with a temp data dir and config.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../../src/local/ports.js';

export interface LocalAlertmanager {
  url: string;
  stop(): Promise<void>;
}

const BINARY = '/usr/bin/prometheus-alertmanager';

const CONFIG = `route:
  receiver: blackhole
  group_wait: 1s
receivers:
  - name: blackhole
`;

export async function startAlertmanager(): Promise<LocalAlertmanager> {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is not installed: apt-get install prometheus-alertmanager`);
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), CONFIG);
  const port = await freePort();
  const child = spawn(BINARY, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=', // no gossip: a single local instance
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let exited = false;
  const gone = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor('Alertmanager', async () => {
      if (exited) throw new Error(`alertmanager exited during start: ${stderr}`);
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
