import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { decodeImage } from '../../src/image/decode.js';
import { DIHEDRALS, hammingDistance, pdqHash, pdqHashWithDihedrals } from '../../src/pdq/index.js';

const DIR = fileURLToPath(new URL('../fixtures/pdq/synthetic/', import.meta.url));

interface Row {
  file: string;
  hashes: string[];
  quality: number;
}

// DIHEDRAL.csv: orig,rot90,rot180,rot270,flipx,flipy,flipplus1,flipminus1,quality,file
const rows: Row[] = readFileSync(DIR + 'DIHEDRAL.csv', 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const c = line.split(',');
    return { file: c[9], hashes: c.slice(0, 8), quality: Number(c[8]) };
  });

const expected = new Map(
  readFileSync(DIR + 'EXPECTED.csv', 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [hash, quality, file] = line.split(',');
      return [file, { hash, quality: Number(quality) }] as const;
    }),
);

test('the synthetic vector files are all there', () => {
  assert.equal(rows.length, 21);
  assert.equal(expected.size, 21);
});

for (const row of rows) {
  const isPng = row.file.endsWith('.png');
  test(`${row.file}: ${isPng ? 'exact hash, quality and 8 dihedrals' : 'within 10 bits through sharp'}`, async () => {
    const img = await decodeImage(readFileSync(DIR + row.file));
    const single = pdqHash(img);
    const exp = expected.get(row.file);
    assert.ok(exp, `EXPECTED.csv lists ${row.file}`);
    if (isPng) {
      // PNG decoding is lossless, so these are the reference's pixels: every bit must match.
      assert.equal(single.hash, exp.hash);
      assert.equal(single.quality, exp.quality);
      const dih = pdqHashWithDihedrals(img);
      assert.equal(dih.quality, row.quality);
      assert.deepEqual(
        DIHEDRALS.map((d) => dih.hashes[d]),
        row.hashes,
      );
    } else if (exp.quality >= 80) {
      const d = hammingDistance(single.hash, exp.hash);
      assert.ok(d <= 10, `${row.file}: ${d} bits from the reference`);
    }
  });
}

test('every synthetic image of quality >= 80 is within 10 bits through sharp (JPEGs included)', async () => {
  const distances: string[] = [];
  for (const [file, exp] of expected) {
    if (exp.quality < 80) continue;
    const { hash } = pdqHash(await decodeImage(readFileSync(DIR + file)));
    const d = hammingDistance(hash, exp.hash);
    distances.push(`${file}=${d}`);
    assert.ok(d <= 10, `${file}: ${d} bits`);
  }
  assert.ok(distances.length >= 15);
});

test('a side under 5 pixels hashes to all zeros with quality 0', async () => {
  const img = await decodeImage(readFileSync(DIR + '16-plasma-4x4.png'));
  assert.deepEqual(pdqHash(img), { hash: '0'.repeat(64), quality: 0 });
  const tiny = { width: 4, height: 900, rgb: new Uint8Array(4 * 900 * 3).fill(200) };
  assert.equal(pdqHash(tiny).hash, '0'.repeat(64));
});

test('the pre-resize can be turned off to hash the full resolution', async () => {
  const img = await decodeImage(readFileSync(DIR + '09-circles-1600x1200.png'));
  const withResize = pdqHash(img);
  const full = pdqHash(img, { resize: false });
  assert.match(full.hash, /^[0-9a-f]{64}$/);
  assert.ok(hammingDistance(withResize.hash, full.hash) <= 31);
});

test('wrongly sized pixel buffers are rejected, not hashed', () => {
  assert.throws(() => pdqHash({ width: 10, height: 10, rgb: new Uint8Array(299) }), RangeError);
});
