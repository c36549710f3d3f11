import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import type { Dihedral, PdqInput } from '../../src/pdq/index.js';
import { DIHEDRALS, hammingDistance, pdqDct16, PdqFormatError, pdqFromHex, pdqHash, pdqHashWithDihedrals, pdqToHex } from '../../src/pdq/index.js';

const hexHash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

test('hex round trip: bytes → hex → bytes and hex → bytes → hex', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
      assert.deepEqual(pdqFromHex(pdqToHex(bytes)), bytes);
    }),
  );
  fc.assert(
    fc.property(hexHash, (hex) => {
      assert.equal(pdqToHex(pdqFromHex(hex)), hex);
      assert.equal(pdqToHex(pdqFromHex(hex.toUpperCase())), hex);
    }),
  );
});

test('malformed hex is refused with a clear error', () => {
  for (const bad of ['', 'abc', 'g'.repeat(64), 'f'.repeat(63), 'f'.repeat(65), ` ${'f'.repeat(63)}`]) {
    assert.throws(
      () => pdqFromHex(bad),
      (e: unknown) => {
        assert.ok(e instanceof PdqFormatError);
        assert.equal(e.code, 'pdq_invalid_hash');
        assert.match(e.message, /exactly 64 hexadecimal characters/);
        return true;
      },
    );
  }
  assert.throws(() => pdqToHex(new Uint8Array(31)), PdqFormatError);
  assert.throws(() => hammingDistance('f'.repeat(64), new Uint8Array(5)), PdqFormatError);
});

test('Hamming distance: d(x,x)=0, symmetry, triangle inequality, range, hex and bytes agree', () => {
  fc.assert(
    fc.property(hexHash, hexHash, hexHash, (a, b, c) => {
      assert.equal(hammingDistance(a, a), 0);
      const ab = hammingDistance(a, b);
      assert.equal(ab, hammingDistance(b, a));
      assert.equal(ab, hammingDistance(pdqFromHex(a), pdqFromHex(b)));
      assert.ok(ab >= 0 && ab <= 256);
      assert.ok(hammingDistance(a, c) <= ab + hammingDistance(b, c));
      if (ab === 0) assert.equal(a, b);
    }),
  );
  assert.equal(hammingDistance('0'.repeat(64), 'f'.repeat(64)), 256);
  assert.equal(hammingDistance('0'.repeat(64), '0'.repeat(63) + '3'), 2);
});

const smallImage = fc
  .record({ width: fc.integer({ min: 1, max: 40 }), height: fc.integer({ min: 1, max: 40 }) })
  .chain(({ width, height }) =>
    fc.uint8Array({ minLength: width * height * 3, maxLength: width * height * 3 }).map((rgb): PdqInput => ({ width, height, rgb })),
  );

test('hashing random small images is deterministic and yields 64 hex digits', () => {
  fc.assert(
    fc.property(smallImage, (img) => {
      const a = pdqHash(img);
      const b = pdqHash({ ...img, rgb: img.rgb.slice() });
      assert.deepEqual(a, b);
      assert.match(a.hash, /^[0-9a-f]{64}$/);
      assert.ok(Number.isInteger(a.quality) && a.quality >= 0 && a.quality <= 100);
      if (img.width < 5 || img.height < 5) assert.deepEqual(a, { hash: '0'.repeat(64), quality: 0 });
      const dih = pdqHashWithDihedrals(img);
      assert.equal(dih.hashes.orig, a.hash);
      assert.equal(dih.quality, a.quality);
    }),
  );
});

/** Pixel transforms named after the dihedral hash they should reproduce (reference naming). */
type Mapper = (x: number, y: number, w: number, h: number) => [number, number];
const PIXEL_TRANSFORMS: Record<Exclude<Dihedral, 'orig'>, { swap: boolean; source: Mapper }> = {
  rot90: { swap: true, source: (x, y, w) => [w - 1 - y, x] }, // counter-clockwise
  rot180: { swap: false, source: (x, y, w, h) => [w - 1 - x, h - 1 - y] },
  rot270: { swap: true, source: (x, y, _w, h) => [y, h - 1 - x] }, // clockwise
  flipx: { swap: false, source: (x, y, _w, h) => [x, h - 1 - y] }, // top-bottom mirror
  flipy: { swap: false, source: (x, y, w) => [w - 1 - x, y] }, // left-right mirror
  flipplus1: { swap: true, source: (x, y) => [y, x] }, // transpose
  flipminus1: { swap: true, source: (x, y, w, h) => [w - 1 - y, h - 1 - x] }, // anti-transpose
};

function transform(img: PdqInput, name: Exclude<Dihedral, 'orig'>): PdqInput {
  const { swap, source } = PIXEL_TRANSFORMS[name];
  const width = swap ? img.height : img.width;
  const height = swap ? img.width : img.height;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = source(x, y, img.width, img.height);
      const s = (sy * img.width + sx) * 3;
      const d = (y * width + x) * 3;
      rgb[d] = img.rgb[s];
      rgb[d + 1] = img.rgb[s + 1];
      rgb[d + 2] = img.rgb[s + 2];
    }
  }
  return { width, height, rgb };
}

/** Smooth synthetic pictures (sums of low-frequency waves): the content PDQ is designed for. */
const smoothImage = fc
  .record({
    // Up to 127: the Jarosz window is 1 and the decimation grid is mirror-symmetric for
    // every size that is not a multiple of 128, so only float32 summation order differs.
    width: fc.integer({ min: 16, max: 127 }),
    height: fc.integer({ min: 16, max: 127 }),
    waves: fc.array(
      fc.tuple(
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 6.3, noNaN: true }),
        fc.double({ min: 10, max: 60, noNaN: true }),
      ),
      { minLength: 2, maxLength: 6 },
    ),
  })
  .map(({ width, height, waves }): PdqInput => {
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let v = 128;
        for (const [fx, fy, phase, amp] of waves) {
          v += (amp / waves.length) * Math.sin(2 * Math.PI * ((fx * x) / width + (fy * y) / height) + phase);
        }
        const i = (y * width + x) * 3;
        rgb[i] = Math.max(0, Math.min(255, Math.round(v)));
        rgb[i + 1] = Math.max(0, Math.min(255, Math.round(v * 0.8 + 20)));
        rgb[i + 2] = Math.max(0, Math.min(255, Math.round(255 - v)));
      }
    }
    return { width, height, rgb };
  });

/** Bit positions k (16*row + col) where two hashes differ. */
function differingBits(a: string, b: string): number[] {
  const x = pdqFromHex(a);
  const y = pdqFromHex(b);
  const out: number[] = [];
  for (let byte = 0; byte < 32; byte++) {
    const diff = x[byte] ^ y[byte];
    for (let t = 0; t < 8; t++) {
      if (diff & (1 << t)) out.push((15 - (byte >> 1)) * 16 + (byte & 1 ? 0 : 8) + t);
    }
  }
  return out;
}

// The dihedral hashes are derived from one DCT by sign flips and transposition. Hashing the
// transformed pixels instead runs the box filter and the DCT sums in another order, so the
// float32 roundings differ and a coefficient lying at the median can land on either side:
// exact equality does not hold in general in the reference semantics (nor in the reference
// itself: its rotated bridge photos differ from the dihedrals by a few bits). What holds,
// and is asserted: without the 512 pre-resize (whose nearest-neighbour grid is not
// rotation-symmetric), every bit that differs belongs to a coefficient within 0.01 (luma units,
// float32 rounding noise) of the median; all other bits are identical. Pictures whose content
// lies only in the excluded DC row/column (e.g. purely horizontal waves) have all 256
// coefficients at noise level, so their hash is rounding noise, here as in the reference.
test('rotated/flipped pixels hash to the matching dihedral except at coefficients tied with the median', () => {
  let total = 0;
  let exact = 0;
  fc.assert(
    fc.property(smoothImage, (img) => {
      const dih = pdqHashWithDihedrals(img);
      for (const name of DIHEDRALS) {
        if (name === 'orig') continue;
        const moved = transform(img, name);
        const got = pdqHash(moved).hash;
        const diff = differingBits(got, dih.hashes[name]);
        total++;
        if (diff.length === 0) {
          exact++;
          continue;
        }
        const { dct } = pdqDct16(moved) ?? { dct: new Float32Array(256) };
        const sorted = Float32Array.from(dct).sort();
        const median = sorted[127];
        for (const k of diff) {
          assert.ok(
            Math.abs(dct[k] - median) <= 1e-2,
            `${name} of ${img.width}×${img.height}: bit ${k} differs but its coefficient is ${dct[k]} vs median ${median}`,
          );
        }
      }
    }),
    { numRuns: 60 },
  );
  // Smooth pictures have many high-frequency coefficients near zero, i.e. near the median,
  // so bit-identical results are not the rule; the assertion above is what holds.
  assert.ok(total > 0 && exact >= 0);
});

test('on a 64×64 image the quality is exactly invariant under all 8 transforms', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 64 * 64 * 3, maxLength: 64 * 64 * 3 }), (rgb) => {
      const img = { width: 64, height: 64, rgb };
      const q = pdqHash(img).quality;
      for (const name of DIHEDRALS) {
        if (name !== 'orig') assert.equal(pdqHash(transform(img, name)).quality, q);
      }
    }),
    { numRuns: 30 },
  );
});
