import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import Database from 'better-sqlite3';

import { loadAuditKey } from '../../src/audit-key.js';
import { runCli } from '../helpers/cli.js';
import { startServerProcess, waitFor } from '../helpers/server-process.js';

const dir = mkdtempSync(join(tmpdir(), 'perisai-audit-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('perisai audit: checkpoints, export and the public key', () => {
  const db = join(dir, 'audit.db');
  const keyFile = join(dir, 'audit-key.pem');

  test('checkpoint creates the key beside the data (owner-only), and verify --checkpoint passes while the log grows', async () => {
    for (const prompt of ['make her smile', 'remove her clothes']) await runCli(['screen', '--prompt', prompt, '--subject', 'adult', '--db', db]);
    const out = join(dir, 'cp-1.json');
    const made = await runCli(['audit', 'checkpoint', '--out', out, '--db', db]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stderr, /Signed checkpoint of 2 entries written/);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).seq, 2);
    const again = await runCli(['audit', 'checkpoint', '--out', out, '--db', db]);
    assert.equal(again.code, 2, 'a checkpoint file is never overwritten');
    assert.match(again.stderr, /never overwritten/);

    await runCli(['screen', '--prompt', 'add a hat', '--subject', 'adult', '--db', db]);
    const verified = await runCli(['audit', 'verify', '--checkpoint', out, '--db', db]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /intact: 3 entries, 3 decision rows match/);
    assert.match(verified.stdout, /checkpoint at entry 2 matches/);
  });

  test('a decision edited in the database file fails verify, naming the decision', async () => {
    const copy = join(dir, 'edited.db');
    writeFileSync(copy, readFileSync(db));
    const raw = new Database(copy);
    raw.prepare(`update decisions set decision = 'allow' where decision = 'block'`).run();
    raw.close();
    const result = await runCli(['audit', 'verify', '--db', copy, '--json']);
    assert.equal(result.code, 1);
    assert.equal(JSON.parse(result.stdout).firstBreak.reason, 'record_changed');
  });

  test('verify --public-key with another key rejects the checkpoint', async () => {
    const other = join(dir, 'other.pub.pem');
    writeFileSync(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const result = await runCli(['audit', 'verify', '--checkpoint', join(dir, 'cp-1.json'), '--public-key', other, '--db', db]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /checkpoint does NOT match: The checkpoint was signed by key/);
    const own = join(dir, 'own.pub.pem');
    writeFileSync(own, (await runCli(['audit', 'public-key', '--db', db])).stdout);
    assert.equal((await runCli(['audit', 'verify', '--checkpoint', join(dir, 'cp-1.json'), '--public-key', own, '--db', db])).code, 0);
  });

  test('export prints every entry as a JSON line an auditor can re-chain', async () => {
    const result = await runCli(['audit', 'export', '--db', db]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      lines.map((entry) => entry.seq),
      [1, 2, 3],
    );
    for (let i = 1; i < lines.length; i++) assert.equal(lines[i].prev_hash, lines[i - 1].hash);
    const tail = await runCli(['audit', 'export', '--after', '2', '--db', db]);
    assert.equal(tail.stdout.trim().split('\n').length, 1);
    assert.equal((await runCli(['audit', 'export', '--after', 'x', '--db', db])).code, 2);
  });

  test('a garbled checkpoint file is a usage error that says what is wrong', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'perisai-audit-checkpoint/1', seq: -1 }));
    const result = await runCli(['audit', 'verify', '--checkpoint', bad, '--db', db]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /checkpoint/);
  });

  test('the server writes a checkpoint at start to the checkpoint file', async () => {
    const file = join(dir, 'server-checkpoints.jsonl');
    const server = await startServerProcess(db, { PERISAI_AUDIT_KEY_FILE: keyFile, PERISAI_AUDIT_CHECKPOINT_FILE: file });
    try {
      assert.ok((await waitFor(async () => existsSync(file), 10_000)) >= 0, 'the checkpoint file appears');
      const last = readFileSync(file, 'utf8').trim().split('\n').pop()!;
      // Three decisions and the admin key the server created at start; the strike jobs that the
      // refusals queued run at start too, and may have added their entries before it signed.
      assert.ok(JSON.parse(last).seq >= 4, last);
      const one = join(dir, 'from-server.json');
      writeFileSync(one, last);
      const verified = await runCli(['audit', 'verify', '--checkpoint', one, '--db', db]);
      assert.equal(verified.code, 0, verified.stderr);
    } finally {
      await server.stop();
    }
  });
});

describe('the audit key file', () => {
  test('a key others can read is refused; a key that is not Ed25519 is refused', () => {
    const loose = join(dir, 'loose.pem');
    writeFileSync(loose, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o644 });
    assert.throws(() => loadAuditKey({ db: join(dir, 'x.db'), auditKeyFile: loose }), /can be read by other users \(mode 644\): run `chmod 600/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.throws(() => loadAuditKey({ db: join(dir, 'x.db'), auditKey: rsa }), /is a rsa key: audit checkpoints need an Ed25519 key/);
    assert.throws(() => loadAuditKey({ db: join(dir, 'x.db'), auditKey: 'not a key' }), /not a PEM private key/);
  });

  test('created once, then read back the same', () => {
    const path = join(dir, 'nested', 'audit-key.pem');
    const first = loadAuditKey({ db: join(dir, 'x.db'), auditKeyFile: path });
    const second = loadAuditKey({ db: join(dir, 'x.db'), auditKeyFile: path });
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(first.publicKey.export({ type: 'spki', format: 'pem' }), second.publicKey.export({ type: 'spki', format: 'pem' }));
  });
});
