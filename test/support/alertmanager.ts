// Starts Debian's real prometheus-alertmanager on a free loopback port with a temp data dir and config.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReadyDaemon } from './daemon.js';

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
  return startReadyDaemon('Alertmanager', BINARY, (port) => [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=', // no gossip: a single local instance
    '--log.level=warn',
  ], dir);
}
