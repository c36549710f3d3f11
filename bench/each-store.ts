import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { type AppContext, type ContextOverrides, createAppContext } from '../src/app-context.js';
import { type ConfigOverrides, readConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
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

/**
 * Starts the service on `store` on a loopback port, in this process, with `key` as its admin key
 * and limits off, runs `fn` against it, and closes everything (the store included) afterwards.
 * `options` adds settings and context overrides (the guard bench's upstream and analyser).
 */
export async function withBenchServer<T>(
  store: Store,
  location: string,
  key: string,
  fn: (server: { base: string; ctx: AppContext }) => Promise<T>,
  options: { config?: ConfigOverrides; overrides?: ContextOverrides } = {},
): Promise<T> {
  const keyDir = mkdtempSync(join(tmpdir(), 'perisai-bench-key-'));
  const ctx = await createAppContext(
    readConfig(
      {},
      { db: location, adminKey: key, imageDetectors: false, rateLimit: 0, logLevel: 'warn', auditKeyFile: join(keyDir, 'audit-key.pem'), ...options.config },
    ),
    { ...options.overrides, store },
  );
  const app = await buildServer(ctx);
  try {
    await ctx.apiKeys.ensureAdminKey(key);
    await app.listen({ host: '127.0.0.1', port: 0 });
    return await fn({ base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, ctx });
  } finally {
    await app.close();
    await ctx.close();
    await store.close(); // handed in, so not the context's to close
    rmSync(keyDir, { recursive: true, force: true });
  }
}
