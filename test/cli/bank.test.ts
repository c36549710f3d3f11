import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { runCli } from '../helpers/cli.js';
import { type ServerProcess, startServerProcess, waitFor } from '../helpers/server-process.js';

const dir = mkdtempSync(join(tmpdir(), 'perisai-bank-'));
const db = join(dir, 'bank.db');
const FIXTURES = fileURLToPath(new URL('../fixtures/pdq/synthetic/', import.meta.url));
const PHOTOS = ['02-plasma-512x512.png', '06-circles-128x128.png', '10-stripes-256x256.png'].map((f) => join(FIXTURES, f));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('perisai bank', () => {
  test('create, then `perisai hash photos | perisai bank import NAME -`, idempotently', async () => {
    assert.equal((await runCli(['bank', 'create', 'takedowns', '--purpose', 'takedown', '--db', db])).code, 0);
    const hashed = await runCli(['hash', ...PHOTOS]);
    assert.equal(hashed.code, 0, hashed.stderr);
    assert.equal(hashed.stdout.trim().split('\n').length, 3);
    const imported = await runCli(['bank', 'import', 'takedowns', '-', '--db', db], { stdin: hashed.stdout });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /3 added, 0 already present/);
    const again = await runCli(['bank', 'import', 'takedowns', '-', '--db', db], { stdin: hashed.stdout });
    assert.match(again.stderr, /0 added, 3 already present/);
    const listed = await runCli(['bank', 'list', '--json', '--db', db]);
    assert.deepEqual(JSON.parse(listed.stdout), { name: 'takedowns', purpose: 'takedown', active: true, hashes: 3, min_quality: 50, max_distance: 31 });
  });

  test('export prints only data, one hash a line, in each format; the export re-imports', async () => {
    const pdq = await runCli(['bank', 'export', 'takedowns', '--format', 'pdq', '--db', db]);
    assert.equal(pdq.code, 0, pdq.stderr);
    const lines = pdq.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    for (const line of lines) assert.match(line, /^[0-9a-f]{64},\d+,.+\.png$/);
    const csv = (await runCli(['bank', 'export', 'takedowns', '--format', 'csv', '--db', db])).stdout.trim().split('\n');
    assert.equal(csv[0], 'pdq,quality,sha256,label,source,category,reason');
    assert.equal(csv.length, 4);
    const jsonl = (await runCli(['bank', 'export', 'takedowns', '--db', db])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(jsonl.length, 3);
    assert.equal(jsonl[0].quality, 100);

    assert.equal((await runCli(['bank', 'create', 'copy', '--purpose', 'test', '--db', db])).code, 0);
    const file = join(dir, 'copy.csv');
    writeFileSync(file, `${csv.join('\n')}\n`);
    const copied = await runCli(['bank', 'import', 'copy', file, '--db', db]);
    assert.match(copied.stderr, /3 added/);
  });

  test('a list with a bad line imports nothing and names the line', async () => {
    const file = join(dir, 'bad.txt');
    const good = 'a'.repeat(64);
    writeFileSync(file, `${good},100,first\n${'b'.repeat(63)},100,short\n${'c'.repeat(64)},30,plain\n`);
    const result = await runCli(['bank', 'import', 'takedowns', file, '--db', db]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Nothing was imported/);
    assert.match(result.stderr, /line 2: .*64/);
    assert.match(result.stderr, /line 3: .*quality/);
    const listed = JSON.parse((await runCli(['bank', 'list', '--json', '--db', db])).stdout.split('\n')[1]!);
    assert.equal(listed.hashes, 3);
  });

  test('add and remove one hash; unknown banks and purposes are clear errors', async () => {
    const hash = 'd'.repeat(64);
    assert.match((await runCli(['bank', 'add', 'takedowns', hash, '--label', 'manual', '--db', db])).stdout, /Added d{64}/);
    assert.match((await runCli(['bank', 'remove', 'takedowns', hash, '--db', db])).stdout, /Removed/);
    const missing = await runCli(['bank', 'remove', 'takedowns', hash, '--db', db]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /holds no hash/);
    const unknown = await runCli(['bank', 'import', 'nope', '-', '--db', db], { stdin: '' });
    assert.match(unknown.stderr, /There is no bank named "nope"/);
    const purpose = await runCli(['bank', 'create', 'x', '--purpose', 'misc', '--db', db]);
    assert.equal(purpose.code, 2);
    assert.match(purpose.stderr, /arguments\.purpose must be one of "csam", "ncii", "takedown", "review", "test"/);
  });
});

describe('a bank changed from the CLI while perisai serve runs on the same SQLite file', () => {
  const live = join(dir, 'live.db');
  const KEY = 'psk__kUlTcy-gVrikmXEtY0r3mZoLAciZTf_';
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess(live, { PERISAI_ADMIN_KEY: KEY });
  });
  after(async () => server?.stop());

  test('is seen by the server without a restart', async () => {
    const image = (await import('node:fs')).readFileSync(PHOTOS[0]!).toString('base64');
    const screen = async () => {
      const res = await fetch(`${server.url}/v1/screen`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'make it brighter', subject: 'none', images: [{ data: image }] }),
      });
      return (await res.json()) as { categories: string[] };
    };
    assert.ok(!(await screen()).categories.includes('bank_match'));
    assert.equal((await runCli(['bank', 'create', 'ncii', '--purpose', 'ncii', '--db', live])).code, 0);
    const hashed = await runCli(['hash', PHOTOS[0]!]);
    assert.equal((await runCli(['bank', 'import', 'ncii', '-', '--db', live], { stdin: hashed.stdout })).code, 0);
    assert.ok((await waitFor(async () => (await screen()).categories.includes('bank_match'), 2000)) >= 0, 'the server did not see the CLI import');
    const pdq = hashed.stdout.split(',')[0]!;
    assert.equal((await runCli(['bank', 'remove', 'ncii', pdq, '--db', live])).code, 0);
    assert.ok((await waitFor(async () => !(await screen()).categories.includes('bank_match'), 2000)) >= 0, 'the server did not see the CLI removal');
  });
});
