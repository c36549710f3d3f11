import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import {
  bytesToWords,
  firstNonHexIndex,
  hammingBytes,
  hammingDistance,
  isPdqHex,
  normalisePdqHex,
  PdqFormatError,
  pdqFromHex,
  pdqToHex,
  popcount32,
  wordsToBytes,
} from '../../src/pdq/index.js';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');
const anyCaseHex = fc.array(hexDigit, { minLength: 64, maxLength: 64 }).map((a) => a.join(''));

test('format then parse is the identity on bytes; parse then format lowercases', () => {
  fc.assert(
    fc.property(bytes32, (bytes) => {
      const hex = pdqToHex(bytes);
      assert.match(hex, /^[0-9a-f]{64}$/);
      assert.deepEqual(pdqFromHex(hex), bytes);
      assert.deepEqual(pdqFromHex(hex.toUpperCase()), bytes);
    }),
  );
  fc.assert(
    fc.property(anyCaseHex, (hex) => {
      assert.ok(isPdqHex(hex));
      assert.equal(pdqToHex(pdqFromHex(hex)), hex.toLowerCase());
      assert.equal(normalisePdqHex(hex), hex.toLowerCase());
    }),
  );
});

test('isPdqHex is the regex /^[0-9a-fA-F]{64}$/ it replaces, on arbitrary strings', () => {
  const near = fc.oneof(
    anyCaseHex,
    fc.string({ minLength: 60, maxLength: 68 }),
    anyCaseHex.chain((h) => fc.tuple(fc.nat(63), fc.string({ minLength: 1, maxLength: 1 })).map(([i, c]) => h.slice(0, i) + c + h.slice(i + 1))),
    anyCaseHex.map((h) => ` ${h}`),
    anyCaseHex.map((h) => `${h}\n`),
  );
  fc.assert(
    fc.property(near, (s) => {
      assert.equal(isPdqHex(s), /^[0-9a-fA-F]{64}$/.test(s));
      const bad = s.search(/[^0-9a-fA-F]/);
      assert.equal(firstNonHexIndex(s), bad);
    }),
  );
  for (const v of [undefined, null, 42, ['f'.repeat(64)], `0x${'f'.repeat(62)}`]) assert.equal(isPdqHex(v), false);
});

test('malformed input is a PdqFormatError, which is also a RangeError', () => {
  for (const bad of ['abc', 'g'.repeat(64), `${'f'.repeat(63)} `]) {
    assert.throws(
      () => pdqFromHex(bad),
      (e: unknown) => e instanceof PdqFormatError && e instanceof RangeError && e.code === 'pdq_invalid_hash',
    );
    assert.throws(() => normalisePdqHex(bad), PdqFormatError);
  }
  assert.throws(() => pdqToHex(new Uint8Array(33)), RangeError);
});

test('Hamming distance equals the count of differing bits, bit by bit', () => {
  fc.assert(
    fc.property(bytes32, bytes32, (a, b) => {
      let expected = 0;
      for (let i = 0; i < 32; i++) for (let bit = 0; bit < 8; bit++) expected += ((a[i]! ^ b[i]!) >> bit) & 1;
      assert.equal(hammingBytes(a, b), expected);
      assert.equal(hammingDistance(pdqToHex(a), b), expected);
    }),
  );
});

test('flipping k distinct bits moves a hash exactly k', () => {
  fc.assert(
    fc.property(bytes32, fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 256 }), (a, bits) => {
      const b = a.slice();
      for (const k of bits) b[k >> 3]! ^= 1 << (k & 7);
      assert.equal(hammingDistance(a, b), bits.length);
    }),
  );
});

test('popcount32 and the word form agree with the bytes', () => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (x) => {
      assert.equal(popcount32(x), (x >>> 0).toString(2).replace(/0/g, '').length);
    }),
  );
  fc.assert(
    fc.property(bytes32, fc.nat(4), (bytes, at) => {
      const words = new Int32Array(16);
      bytesToWords(bytes, words, at);
      assert.deepEqual(wordsToBytes(words, at), bytes);
    }),
  );
});
