import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { sql } from 'kysely';
import pg from 'pg';

import { isUnavailableError } from '../../src/store/availability.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.js';
import { PG_URL, STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const TEST_AUDIT_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('which driver errors mean "the store is unavailable"', () => {
  it('a full disk, a read-only file, I/O errors, lost connections and shutdowns', () => {
    for (const error of [
      withCode('SQLITE_FULL'),
      withCode('SQLITE_READONLY'),
      withCode('SQLITE_IOERR_WRITE'),
      withCode('SQLITE_BUSY'),
      withCode('57P01'),
      withCode('08006'),
      withCode('53100'),
      withCode('25006'),
      withCode('ECONNRESET'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
    ]) {
      assert.equal(isUnavailableError(error), true, `${(error as { code?: string }).code ?? error.message}`);
    }
  });

  it('not a constraint, a syntax error or a bug: those stay what they are', () => {
    for (const error of [
      withCode('23505'),
      withCode('42P01'),
      withCode('SQLITE_CONSTRAINT_UNIQUE'),
      withCode('SQLITE_ERROR'),
      new TypeError('x is undefined'),
      'a string',
    ]) {
      assert.equal(isUnavailableError(error), false, String((error as { code?: string }).code ?? error));
    }
  });
});

const sqlite = STORE_FACTORIES.find((factory) => factory.name === 'sqlite')!;

describe('a SQLite store that cannot write (its page limit reached: SQLITE_FULL)', () => {
  const store = useStore(sqlite);
  let t: TestApp;
  before(async () => {
    t = await startTestApp(store());
  });
  after(async () => t?.close());

  const screen = (prompt: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/screen',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      payload: { prompt, subject: 'adult' },
    });
  const readyz = () => t.app.inject({ method: 'GET', url: '/readyz' });

  it('answers 503 store_unavailable with Retry-After, reports not ready, records nothing half-way, and recovers', async () => {
    assert.equal((await screen('make her smile')).statusCode, 200);
    const db = store().store.db;
    const before = (await t.ctx.audit.verify()).total;
    const pages = (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]!.page_count;
    await sql.raw(`pragma max_page_count = ${pages}`).execute(db);
    try {
      // Enough decisions that the next one needs a new page.
      let failed: Awaited<ReturnType<typeof screen>> | undefined;
      for (let i = 0; i < 200 && !failed; i++) {
        const res = await screen(`turn the sky orange, version ${i} ${'with a long description '.repeat(20)}`);
        if (res.statusCode !== 200) failed = res;
      }
      assert.ok(failed, 'a write eventually fails once the page limit is reached');
      assert.equal(failed.statusCode, 503, failed.body);
      assert.equal(failed.json().error, 'store_unavailable');
      assert.equal(failed.headers['retry-after'], '5');
      assert.doesNotMatch(failed.body, /SQLITE|database or disk is full/i, 'no driver text reaches the client');
      const notReady = await readyz();
      assert.equal(notReady.statusCode, 503);
      assert.match(notReady.json().message, /cannot serve writes since .* \(SQLITE_FULL\)/);
    } finally {
      await sql.raw('pragma max_page_count = 1073741823').execute(db);
    }
    const ready = await readyz();
    assert.equal(ready.statusCode, 200, ready.body);
    assert.equal((await screen('add a hat')).statusCode, 200);
    const verified = await t.ctx.audit.verify();
    assert.equal(verified.ok, true, 'the failed writes left no partial entries');
    assert.ok(verified.total > before);
  });
});

for (const factory of STORE_FACTORIES.filter((f) => f.name === 'postgres')) {
  describe('a server whose PostgreSQL connections are terminated', () => {
    const store = useStore(factory);
    const it = testOn(factory);
    let server: ServerProcess;
    const app = `perisai_fault_${process.pid}`;
    before(async () => {
      if (factory.skip) return;
      server = await startServerProcess(`${store().location}&application_name=${app}`, { PERISAI_ADMIN_KEY: ADMIN_KEY });
    });
    after(async () => server?.stop());

    const screen = () =>
      fetch(`${server.url}/v1/screen`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'make her smile', subject: 'adult' }),
      });

    it('stays up, answers 503 (never 500 or a 200 unrecorded) while reconnecting, then serves again', async () => {
      assert.equal((await screen()).status, 200);
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      try {
        const killed = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`, [app]);
        assert.ok(killed.rowCount! > 0, 'the server had connections to terminate');
      } finally {
        await admin.end();
      }
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await screen();
        statuses.push(res.status);
        if (res.status === 200) break;
      }
      assert.equal(server.child.exitCode, null, 'the process is still running');
      assert.ok(
        statuses.every((status) => status === 200 || status === 503),
        `statuses: ${statuses.join(', ')}`,
      );
      assert.equal(statuses.at(-1), 200, `it serves again: ${statuses.join(', ')}`);
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    });
  });
}

for (const factory of STORE_FACTORIES) {
  describe(`perisai serve on a port in use, on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    it('exits non-zero with a sentence, instead of lingering', async () => {
      const blocker = createServer().listen(0, '127.0.0.1');
      await once(blocker, 'listening');
      const port = (blocker.address() as AddressInfo).port;
      // The C2PA development signer is created beside the audit key file's place (data/ for PostgreSQL): keep it out of the repository.
      const keyDir = mkdtempSync(join(tmpdir(), 'perisai-availability-'));
      try {
        const result = await runCli(['serve', '--port', String(port), '--db', store().location], {
          env: {
            PERISAI_IMAGE_DETECTORS: '0',
            PERISAI_AUDIT_CHECKPOINT_MINUTES: '0',
            PERISAI_AUDIT_KEY: TEST_AUDIT_KEY,
            PERISAI_AUDIT_KEY_FILE: join(keyDir, 'audit-key.pem'),
          },
        });
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, new RegExp(`Cannot listen on 127.0.0.1:${port}: the port is in use`));
      } finally {
        blocker.close();
        rmSync(keyDir, { recursive: true, force: true });
      }
    });
  });
}
