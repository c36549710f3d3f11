import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import type { HashFileOutcome } from '../../src/cli/hash/hash-file.js';
import { hashInLanes } from '../../src/cli/hash/hash-pool.js';

const DIR = fileURLToPath(new URL('../fixtures/pdq/synthetic/', import.meta.url));
const FILES = ['00-plasma-64x64.png', '02-plasma-512x512.png', '07-circles-517x333.png', '13-grey-300x300.png'].map((f) => DIR + f);

async function collect(testing: { entry?: URL; local?: boolean }): Promise<Map<number, HashFileOutcome>> {
  const got = new Map<number, HashFileOutcome>();
  await hashInLanes(
    FILES,
    {},
    2,
    (i, o) => {
      assert.ok(!got.has(i), `file ${i} reported once`);
      got.set(i, o);
    },
    testing,
  );
  return got;
}

test('every file is answered once, by index, from this thread and from workers alone', async () => {
  const both = await collect({});
  const workersOnly = await collect({ local: false });
  assert.equal(both.size, FILES.length);
  for (const [i, o] of both) assert.ok(o.ok && o.line.endsWith(`,${FILES[i]}`));
  assert.deepEqual(workersOnly, both);
});

test('workers that cannot start: the files are hashed in this thread instead', async () => {
  const good = await collect({});
  const fallback = await collect({ entry: new URL('./no-such-worker.mjs', import.meta.url), local: false });
  assert.deepEqual(fallback, good);
});
