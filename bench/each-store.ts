import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { openStore, type Store } from '../src/store/store.js';

/** What a bench runs on one store: its label, the open store, and the location a server would be given. */
export type StoreRun = (label: 'SQLite' | 'PostgreSQL', store: Store, location: string) => Promise<void>;

/**
 * Runs a bench on a fresh SQLite file in a temporary directory and, given a PostgreSQL URL, in a
 * fresh schema there; both are removed afterwards, pass or fail.
 */
export async function onEachStore(pgUrl: string | undefined, run: StoreRun): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'perisai-bench-'));
  try {
    const location = join(dir, 'bench.db');
    await run('SQLite', await openStore(location), location);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  if (!pgUrl) {
    console.log('PostgreSQL: skipped (give --pg URL or set PERISAI_TEST_PG_URL)');
    return;
  }
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  const separator = pgUrl.includes('?') ? '&' : '?';
  try {
    await run('PostgreSQL', await openStore(pgUrl, { schema }), `${pgUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`);
  } finally {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.query(`drop schema if exists ${schema}_jobs cascade`);
    await client.end();
  }
}
