import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import pg from 'pg';

import { openStore, type Store } from '../../src/store/store.js';

/** Set by .ci/run; when absent the PostgreSQL half of each contract suite is reported as skipped. */
export const PG_URL = process.env.PERISAI_TEST_PG_URL;

export interface StoreFactory {
  name: 'sqlite' | 'postgres';
  /** Why the suite is skipped, or false to run it. */
  skip: string | false;
  open(): Promise<TestStore>;
}

export interface TestStore {
  store: Store;
  /** The `--db` value and environment that reach the same data from another process. */
  location: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

let counter = 0;

export const STORE_FACTORIES: StoreFactory[] = [
  {
    name: 'sqlite',
    skip: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'perisai-test-'));
      const location = join(dir, 'perisai.db');
      const store = await openStore(location);
      return {
        store,
        location,
        env: {},
        cleanup: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: PG_URL ? false : 'set PERISAI_TEST_PG_URL (as .ci/run does) to run the PostgreSQL suite',
    async open() {
      const schema = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
      const url = PG_URL!;
      const store = await openStore(url, { schema });
      const separator = url.includes('?') ? '&' : '?';
      return {
        store,
        // libpq-style options in the URL reach the same schema from a child process.
        location: `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
        env: {},
        cleanup: async () => {
          await store.close();
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`drop schema if exists ${schema} cascade`);
          await client.query(`drop schema if exists ${schema}_jobs cascade`);
          await client.end();
        },
      };
    },
  },
];

/**
 * Declares a test that is skipped, and counted as skipped, when the factory's database is not
 * available; suites call `before` only through `useStore` so nothing connects in that case.
 */
export function testOn(factory: StoreFactory) {
  return (name: string, fn: () => Promise<void>) => test(name, { skip: factory.skip }, fn);
}

/** Opens the store before the suite's tests and cleans it up after; returns a getter. */
export function useStore(factory: StoreFactory): () => TestStore {
  let opened: TestStore | undefined;
  before(async () => {
    if (!factory.skip) opened = await factory.open();
  });
  after(async () => opened?.cleanup());
  return () => {
    if (!opened) throw new Error(`the ${factory.name} store is not open`);
    return opened;
  };
}
