// Per-test-file access to the shared servers: a fresh database (so files never see each other's rows).
import { join } from 'node:path';
import { inject } from 'vitest';
import { createStore, migrate, type Store } from '../../src/store/index.js';

let counter = 0;

/** Which ClickHouse this project runs on: `server` (Debian 18.16 over HTTP) or `embedded` (26.x in-process). */
export function engine(): 'server' | 'embedded' {
  return inject('engine');
}

/** The store URL for this test process: the server's, or `embedded:PATH` with a path of this process's own. */
export function clickhouseUrl(): string {
  return engine() === 'embedded' ? `embedded:${embeddedDir()}` : inject('clickhouseUrl');
}

/** The embedded engine's data directory for this test process (one process may hold one path). */
export function embeddedDir(pid = process.pid): string {
  return join(inject('embeddedRoot'), `p${pid}`);
}

export function kafkaBrokers(): string[] {
  return inject('kafkaBrokers');
}

export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

/** A migrated database of its own for one test file. */
export async function freshStore(prefix = 'test', url = clickhouseUrl()): Promise<Store> {
  const database = uniqueName(prefix);
  const admin = createStore({ url, database: 'default' });
  const store = createStore({ url, database });
  await migrate(admin, store, new Date());
  await admin.close();
  return store;
}
