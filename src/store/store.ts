import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';

import { type Clock, systemClock } from '../domain/clock.js';
import { PerisaiError } from '../domain/errors.js';
import { observedDialect, StoreAvailability } from './availability.js';
import type { Db, DialectName } from './db.js';
import { MIGRATIONS } from './migrations.js';
import type { Database } from './schema.js';

export type { Db, DialectName };

export interface Store {
  readonly dialect: DialectName;
  /** Where the data lives, with any password removed: safe to print. */
  readonly location: string;
  readonly db: Db;
  /**
   * Runs `fn` in one transaction on one connection. SQLite takes the write lock up front
   * (BEGIN IMMEDIATE) so two processes on one file queue instead of failing on lock upgrade.
   */
  transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  /** Whether writes are failing for lack of a store (see availability.ts). */
  readonly availability: StoreAvailability;
  /** PostgreSQL only: how to reach the same database (for the job engine's own pool); never print it. */
  readonly postgres?: { url: string; schema: string | undefined };
  close(): Promise<void>;
}

export interface StoreOptions {
  /** PostgreSQL only: a schema to use instead of `public` (created if missing); lets test suites run side by side. */
  schema?: string;
  /** Stamps applied migrations and store failures. */
  clock?: Clock;
  /**
   * PostgreSQL only: an idle connection failed (terminated by the server, a failover, an idle
   * timeout). The pool replaces it; this is for the log. Without a listener node-postgres
   * would crash the process.
   */
  onConnectionError?: (error: Error) => void;
}

// PostgreSQL returns int8 as text to be safe with 64-bit values; our counters stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));
// float8 already parses as a number.

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** Opens the store at a SQLite path or a postgres:// URL and applies pending migrations. */
export async function openStore(location: string, options: StoreOptions = {}): Promise<Store> {
  const store = isPostgresUrl(location) ? await openPostgres(location, options) : openSqlite(location, options);
  try {
    await migrate(store, options.clock ?? systemClock);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function openSqlite(path: string, options: StoreOptions): Store {
  const file = path === ':memory:' ? path : resolve(path);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let database: SqliteDatabase.Database;
  try {
    database = new SqliteDatabase(file, { timeout: 10_000 });
  } catch (error) {
    throw new PerisaiError(
      'store_unavailable',
      `Cannot open the SQLite database ${file}: ${(error as Error).message}. Check the path given with --db or PERISAI_DB.`,
    );
  }
  // WAL lets the CLI read and write while `perisai serve` runs on the same file.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  const availability = new StoreAvailability();
  const db = new Kysely<Database>({ dialect: observedDialect(new SqliteDialect({ database }), availability, now(options)) });
  return makeStore('sqlite', file, db, 'begin immediate', availability);
}

async function openPostgres(url: string, options: StoreOptions): Promise<Store> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new PerisaiError('store_invalid_schema', `The schema name "${schema}" is not allowed: use lowercase letters, digits and underscores.`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on('error', (error) => options.onConnectionError?.(error));
  // The pool listens for errors only on idle clients. A client checked out for a transaction
  // sits between queries without a listener, and a connection terminated then would be an
  // unhandled 'error' event that ends the process; the failed query itself still reports it.
  pool.on('connect', (client) => client.on('error', (error) => options.onConnectionError?.(error)));
  try {
    const client = await pool.connect();
    try {
      if (schema) await client.query(`create schema if not exists ${schema}`);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw new PerisaiError(
      'store_unavailable',
      `Cannot connect to PostgreSQL at ${redact(url)}: ${(error as Error).message}. Check that the server runs and the URL given with --db or PERISAI_DB is right.`,
    );
  }
  const availability = new StoreAvailability();
  const db = new Kysely<Database>({ dialect: observedDialect(new PostgresDialect({ pool }), availability, now(options)) });
  return { ...makeStore('postgres', redact(url) + (schema ? ` (schema ${schema})` : ''), db, 'begin', availability), postgres: { url, schema } };
}

function now(options: StoreOptions): () => Date {
  const clock = options.clock ?? systemClock;
  return () => clock.now();
}

function makeStore(dialect: DialectName, location: string, db: Db, begin: string, availability: StoreAvailability): Store {
  return {
    dialect,
    location,
    db,
    availability,
    transaction: (fn) =>
      db.connection().execute(async (conn) => {
        await sql.raw(begin).execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        }
      }),
    close: () => db.destroy(),
  };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** Applies migrations not yet recorded, all in one transaction, serialised across processes (advisory lock on PostgreSQL, the write lock on SQLite). */
async function migrate(store: Store, clock: Clock): Promise<string[]> {
  const applied: string[] = [];
  await store.transaction(async (trx) => {
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(7357001)`.execute(trx);
    await trx.schema
      .createTable('perisai_migrations')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    const done = await sql<{ name: string }>`select name from perisai_migrations`.execute(trx);
    const names = new Set(done.rows.map((row) => row.name));
    for (const migration of MIGRATIONS) {
      if (names.has(migration.name)) continue;
      await migration.up(trx as Kysely<unknown>, store.dialect);
      await sql`insert into perisai_migrations (name, applied_at) values (${migration.name}, ${clock.now().toISOString()})`.execute(trx);
      applied.push(migration.name);
    }
  });
  return applied;
}
