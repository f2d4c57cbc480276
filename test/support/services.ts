// Per-test-file access to the shared servers: a fresh database (so files never see each other's rows).
import { inject } from 'vitest';
import { createStore, migrate, type Store } from '../../src/store/index.js';

let counter = 0;

export function clickhouseUrl(): string {
  return inject('clickhouseUrl');
}

export function kafkaBrokers(): string[] {
  return inject('kafkaBrokers');
}

export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

/** A migrated database of its own for one test file. */
export async function freshStore(prefix = 'test'): Promise<Store> {
  const database = uniqueName(prefix);
  const admin = createStore({ url: clickhouseUrl(), database: 'default' });
  const store = createStore({ url: clickhouseUrl(), database });
  await migrate(admin, store, new Date());
  await admin.close();
  return store;
}
