/**
 * The store's availability, observed where every query passes: a Kysely dialect wrapper that
 * turns the driver errors meaning "the database cannot be reached or cannot write" (a
 * terminated connection, a failover, a full disk, a read-only file) into one typed error,
 * `store_unavailable`, and remembers that writes failed until one succeeds again. Callers
 * then answer 503 with Retry-After instead of a generic 500, and readiness reports not ready.
 * Other errors (a constraint, a bug) pass through unchanged. Raw driver text never reaches a
 * client: it stays on the error's `cause`, for the log.
 */
import type { DatabaseConnection, Dialect, Driver, Kysely, QueryResult, TransactionSettings } from 'kysely';

import { PerisaiError } from '../domain/errors.js';

/** Seconds a client is asked to wait before retrying. */
export const STORE_RETRY_AFTER_SECONDS = 5;

// SQLite result codes (better-sqlite3 puts them on `code`, extended codes included, e.g. SQLITE_IOERR_WRITE).
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|READONLY|IOERR|BUSY|LOCKED|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/;
// PostgreSQL SQLSTATE classes and codes: 08 connection exception, 53 insufficient resources (53100 disk full),
// 57P01-57P03 shutdown / cannot connect now, 25006 read-only transaction (a standby after failover), 58 system error.
const PG_UNAVAILABLE = /^(08|53|58)|^57P0[123]$|^25006$/;
// Socket-level failures.
const NODE_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// node-postgres raises these without a code.
const PG_CLIENT_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed|Connection ended/i;

/** Whether a driver error means the store cannot serve right now (rather than a bad query). */
export function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SQLITE_UNAVAILABLE.test(code) || NODE_UNAVAILABLE.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return PG_UNAVAILABLE.test(code);
  }
  return PG_CLIENT_MESSAGES.test(error.message);
}

export function storeUnavailable(cause: unknown): PerisaiError {
  return new PerisaiError(
    'store_unavailable',
    `The database cannot be reached or cannot write right now, so nothing was recorded: retry in ${STORE_RETRY_AFTER_SECONDS} seconds.`,
    { retryAfterSeconds: STORE_RETRY_AFTER_SECONDS },
    { cause },
  );
}

/** What the wrapper saw: whether the last write failed for lack of a store. */
export class StoreAvailability {
  private failedAt: string | null = null;
  private lastCause: string | null = null;

  /** Null while writes succeed; the time of the failure otherwise. */
  get writeFailedAt(): string | null {
    return this.failedAt;
  }

  /** The kind of failure, for operators (`SQLITE_FULL`, `57P01`, ...): a code, never driver text. */
  get failure(): string | null {
    return this.lastCause;
  }

  failed(error: unknown, at: Date): void {
    this.failedAt ??= at.toISOString();
    const code = (error as { code?: unknown }).code;
    this.lastCause = typeof code === 'string' ? code : 'connection lost';
  }

  recovered(): void {
    this.failedAt = null;
    this.lastCause = null;
  }
}

const WRITE = /^\s*(insert|update|delete|create|alter|drop|replace|commit)/i;

/** Wraps a dialect so every query's failure is classified, and availability tracked. */
export function observedDialect(inner: Dialect, availability: StoreAvailability, now: () => Date): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own signature
    createIntrospector: (db: Kysely<any>) => inner.createIntrospector(db),
    createDriver: () => new ObservedDriver(inner.createDriver(), availability, now),
  };
}

class ObservedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly availability: StoreAvailability,
    private readonly now: () => Date,
  ) {}

  private async guard<T>(run: () => Promise<T>, write: boolean): Promise<T> {
    try {
      const result = await run();
      if (write) this.availability.recovered();
      return result;
    } catch (error) {
      if (!isUnavailableError(error)) throw error;
      this.availability.failed(error, this.now());
      throw storeUnavailable(error);
    }
  }

  init(): Promise<void> {
    return this.guard(() => this.inner.init(), false);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.guard(() => this.inner.acquireConnection(), false);
    return new ObservedConnection(connection, (run, write) => this.guard(run, write));
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.guard(() => this.inner.beginTransaction(unwrap(connection), settings), false);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.guard(() => this.inner.commitTransaction(unwrap(connection)), true);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.guard(() => this.inner.rollbackTransaction(unwrap(connection)), false);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

class ObservedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly guard: <T>(run: () => Promise<T>, write: boolean) => Promise<T>,
  ) {}

  executeQuery<R>(query: Parameters<DatabaseConnection['executeQuery']>[0]): Promise<QueryResult<R>> {
    // A statement outside an explicit transaction commits on its own: its success is a successful write.
    return this.guard(() => this.inner.executeQuery<R>(query), WRITE.test(query.sql));
  }

  async *streamQuery<R>(query: Parameters<DatabaseConnection['streamQuery']>[0], chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const iterator = this.inner.streamQuery<R>(query, chunkSize);
    for (;;) {
      const next = await this.guard(() => iterator.next(), false);
      if (next.done) return;
      yield next.value;
    }
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof ObservedConnection ? connection.inner : connection;
}
