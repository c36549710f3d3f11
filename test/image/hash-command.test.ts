import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { hashFiles } from '../../src/cli/commands/hash.js';
import { md5Hex, sha256Hex } from '../../src/image/digests.js';
import { tempDir } from '../helpers/tmp.js';

const DIR = fileURLToPath(new URL('../fixtures/pdq/synthetic/', import.meta.url));
const expected = new Map(
  readFileSync(DIR + 'EXPECTED.csv', 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .map(([h, q, f]) => [f, `${h},${q}`] as const),
);

test('prints pdq_hex,quality,file like the reference', async () => {
  const lines: string[] = [];
  const files = ['02-plasma-512x512.png', '13-grey-300x300.png'].map((f) => DIR + f);
  const code = await hashFiles(
    files,
    {},
    (l) => lines.push(l),
    () => assert.fail('no errors expected'),
  );
  assert.equal(code, 0);
  assert.deepEqual(lines, [`${expected.get('02-plasma-512x512.png')},${files[0]}`, `${expected.get('13-grey-300x300.png')},${files[1]}`]);
});

test('--json gives pdq, quality, sha256, md5, size and file; --dihedral adds the 8 hashes', async () => {
  const file = DIR + '07-circles-517x333.png';
  const bytes = readFileSync(file);
  const lines: string[] = [];
  assert.equal(await hashFiles([file], { json: true, dihedral: true }, (l) => lines.push(l)), 0);
  const obj = JSON.parse(lines[0]) as Record<string, unknown>;
  assert.equal(`${obj.pdq},${obj.quality}`, expected.get('07-circles-517x333.png'));
  assert.equal(obj.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.equal(obj.md5, createHash('md5').update(bytes).digest('hex'));
  assert.equal(obj.sha256, sha256Hex(bytes));
  assert.equal(obj.md5, md5Hex(bytes));
  assert.equal(obj.width, 517);
  assert.equal(obj.height, 333);
  assert.equal(obj.file, file);
  assert.equal(Object.keys(obj.dihedrals as object).length, 8);
});

test('a broken or missing file is an error on stderr and a non-zero exit; the others are still hashed', async (t) => {
  const dir = tempDir(t, 'perisai-hash-');
  const broken = join(dir, 'broken.jpg');
  writeFileSync(broken, readFileSync(DIR + '03-plasma-640x480.jpg').subarray(0, 500));
  const good = DIR + '00-plasma-64x64.png';
  const out: string[] = [];
  const err: string[] = [];
  const code = await hashFiles(
    [broken, join(dir, 'missing.png'), good],
    {},
    (l) => out.push(l),
    (l) => err.push(l),
  );
  assert.equal(code, 1);
  assert.deepEqual(out, [`${expected.get('00-plasma-64x64.png')},${good}`]);
  assert.equal(err.length, 2);
  assert.match(err[0], /broken\.jpg: image_truncated: /);
  assert.match(err[1], /missing\.png: file not found/);
  assert.ok(!out.some((l) => l.startsWith('0'.repeat(64))));
});

test('many files over worker threads: same lines as one thread, in argument order, errors per file', async (t) => {
  const dir = tempDir(t, 'perisai-hash-workers-');
  const broken = join(dir, 'broken.jpg');
  writeFileSync(broken, readFileSync(DIR + '03-plasma-640x480.jpg').subarray(0, 500));
  const names = [...expected.keys()].sort();
  // Broken and missing files in the middle, and the same file twice.
  const files = [...names.slice(0, 8), broken, ...names.slice(8), join(dir, 'missing.png'), names[0]!].map((f) => (f.startsWith('/') ? f : DIR + f));
  const run = async (workers: number) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await hashFiles(
      files,
      {},
      (l) => out.push(l),
      (l) => err.push(l),
      { workers },
    );
    return { code, out, err };
  };
  const threaded = await run(2);
  const inline = await run(0);
  assert.deepEqual(threaded, inline);
  assert.equal(threaded.code, 1);
  assert.deepEqual(
    threaded.out,
    files.filter((f) => !f.startsWith(dir)).map((f) => `${expected.get(f.slice(DIR.length))},${f}`),
  );
  assert.equal(threaded.err.length, 2);
  assert.match(threaded.err[0]!, /broken\.jpg: image_truncated: /);
  assert.match(threaded.err[1]!, /missing\.png: file not found/);
});

test('--json and --dihedral lines are the same from the workers', async () => {
  const files = ['07-circles-517x333.png', '02-plasma-512x512.png', '13-grey-300x300.png'].map((f) => DIR + f);
  for (const opts of [{ json: true }, { dihedral: true }, { json: true, dihedral: true }]) {
    const a: string[] = [];
    const b: string[] = [];
    await hashFiles(
      files,
      opts,
      (l) => a.push(l),
      () => assert.fail('no errors expected'),
      { workers: 2 },
    );
    await hashFiles(
      files,
      opts,
      (l) => b.push(l),
      () => assert.fail('no errors expected'),
      { workers: 0 },
    );
    assert.deepEqual(a, b);
    assert.equal(a.length, 3);
  }
});
