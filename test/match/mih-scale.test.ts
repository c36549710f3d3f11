import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { PdqIndex } from '../../src/match/mih-index.js';
import { binomial, layoutFor, makeLayout, masksFor, planSearch } from '../../src/match/mih-plan.js';
import { bytesToWords } from '../../src/pdq/index.js';
import { flip, linear } from '../helpers/pdq-oracle.js';

/** Deterministic pseudo-random hashes: a few seeds and near copies of them, so every radius has hits. */
function clusteredHashes(n: number, seed: number): Uint8Array[] {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const seeds = Array.from({ length: 8 }, () => Uint8Array.from({ length: 32 }, () => next() & 255));
  return Array.from({ length: n }, (_, i) => {
    const base = seeds[i % seeds.length]!;
    if (i < seeds.length) return base;
    return flip(
      base,
      Array.from({ length: next() % 70 }, () => next() & 255),
    );
  });
}

const flips = fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 40, size: 'max' });

describe('PdqIndex at other key widths', () => {
  // Wide keys are what large indexes get from layoutFor; here they are forced on small ones,
  // where the same code paths run (straddling keys, fewer residual bits, radius-3 probes).
  const layouts: Array<[number, number, number]> = [
    [12, 16, 40],
    [11, 20, 25],
    [10, 22, 12],
    [9, 24, 4],
    [13, 19, 25],
    [14, 17, 25],
  ];
  for (const [substrings, keyBits, numRuns] of layouts) {
    it(`${substrings} substrings of ${keyBits}-bit keys equal a linear scan at radii 0..63 and sizes up to 3,000`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 3000 }), fc.nat(), fc.integer({ min: 0, max: 63 }), flips, (n, seed, r, bits) => {
          const hashes = clusteredHashes(n, seed);
          const model = new Map(hashes.map((h, i) => [i * 5 + 2, h] as [number, Uint8Array]));
          const index = PdqIndex.build(model, { substrings, keyBits, strategy: 'probe' });
          for (const base of [hashes[seed % n]!, hashes[(seed >>> 3) % n]!]) {
            const query = flip(base, bits);
            assert.deepEqual(index.search(query, r), linear(model, query, r));
          }
        }),
        { numRuns },
      );
    });
  }

  it('picks wider keys as the index grows, always exact by the pigeonhole bound', () => {
    for (const n of [0, 1e6, 4e6, 1e7, 3e7, 1e8, 2 ** 27, 2 ** 27 + 1, 2.6e8]) {
      const layout = layoutFor(n);
      assert.ok(layout.maxSlots >= n, `n=${n}`);
      // Per-bucket postings stay small: the point of widening the key.
      if (n >= 1e7) assert.ok(n / layout.buckets < 64, `n=${n}`);
      for (let r = 0; r <= 80; r++) {
        const plan = planSearch(layout, Math.max(n, 1), r);
        assert.ok(Array.from(plan.radius).reduce((s, x) => s + x + 1, 0) > r, `n=${n} r=${r}`);
      }
    }
    assert.deepEqual([layoutFor(1e6).m, layoutFor(1e6).keyBits], [12, 16]);
    assert.deepEqual([layoutFor(1e8).m, layoutFor(1e8).keyBits], [9, 24]);
    assert.deepEqual([layoutFor(2 ** 27 + 1).m, layoutFor(2 ** 27 + 1).keyBits], [10, 22]);
    assert.equal(planSearch(layoutFor(1e8), 1e8, 31).linear, false);
  });

  it('enumerates each key mask once, by popcount', () => {
    for (const [bits, w] of [
      [16, 16],
      [20, 3],
      [22, 4],
      [24, 2],
    ] as const) {
      const { masks, weightStart } = masksFor(bits, w);
      assert.equal(new Set(masks).size, masks.length);
      for (let k = 0; k <= w; k++) {
        assert.equal(weightStart[k + 1]! - weightStart[k]!, binomial(bits, k));
        for (let i = weightStart[k]!; i < weightStart[k + 1]!; i++) {
          assert.ok(masks[i]! < 2 ** bits);
          let c = 0;
          for (let x = masks[i]!; x; x &= x - 1) c++;
          assert.equal(c, k);
        }
      }
    }
  });

  it('rejects layouts that do not fit', () => {
    assert.throws(() => makeLayout(12, 22), RangeError); // 264 key bits
    assert.throws(() => makeLayout(9, 16), RangeError); // 13-bit residuals
    assert.throws(() => makeLayout(10, 25), RangeError);
  });
});

describe('PdqIndex.fromWords', () => {
  it('indexes packed words in place, with ids, duplicates replaced, room to add', () => {
    const hashes = clusteredHashes(500, 9);
    const words = new Int32Array(new SharedArrayBuffer(600 * 32));
    hashes.forEach((h, i) => bytesToWords(h, words, i * 8));
    const ids = Array.from({ length: 500 }, (_, i) => (i === 499 ? 7 : i * 3 + 1)); // slot 499 replaces id 7
    const index = PdqIndex.fromWords(words, 500, ids);
    const model = new Map<number, Uint8Array>();
    hashes.forEach((h, i) => model.set(ids[i]!, h));
    assert.equal(index.size, model.size);
    for (let i = 0; i < 100; i++) {
      const extra = flip(hashes[i]!, [i, i + 1]);
      index.add(10_000 + i, extra);
      model.set(10_000 + i, extra);
    }
    for (const r of [0, 10, 31, 45]) assert.deepEqual(index.search(hashes[3]!, r), linear(model, hashes[3]!, r));
    assert.deepEqual(index.get(7), hashes[499]);
    // Default ids are the slots.
    const plain = PdqIndex.fromWords(words, 10);
    assert.deepEqual(plain.search(hashes[4]!, 0), [{ id: 4, distance: 0 }]);
    assert.throws(() => PdqIndex.fromWords(words, 601), RangeError);
  });
});

describe('PdqIndex.rebuildInBackground', () => {
  it('keeps answering exactly during a worker rebuild, then swaps in tables covering the adds', async () => {
    const hashes = clusteredHashes(4000, 3);
    const model = new Map<number, Uint8Array>();
    const index = new PdqIndex({ strategy: 'probe' });
    for (let i = 0; i < 1000; i++) {
      index.add(i, hashes[i]!);
      model.set(i, hashes[i]!);
    }
    index.optimize();
    for (let i = 1000; i < 3000; i++) {
      index.add(i, hashes[i]!);
      model.set(i, hashes[i]!);
    }
    const done = index.rebuildInBackground();
    assert.equal(index.rebuilding, true);
    assert.equal(index.rebuildInBackground(), done, 'concurrent calls share one rebuild');
    // Changes while the worker runs: adds beyond its snapshot, removes of slots inside it.
    for (let i = 3000; i < 3500; i++) {
      index.add(i, hashes[i]!);
      model.set(i, hashes[i]!);
    }
    for (let i = 0; i < 3500; i += 7) {
      index.remove(i);
      model.delete(i);
    }
    const check = (): void => {
      for (const [q, r] of [
        [1, 31],
        [2, 12],
        [5, 50],
        [3333, 20],
      ] as const)
        assert.deepEqual(index.search(hashes[q]!, r), linear(model, hashes[q]!, r));
    };
    check();
    await done;
    assert.equal(index.rebuilding, false);
    assert.equal(index.tableLayout.indexed, 3000);
    check();
    assert.equal(index.size, model.size);
  });

  it('drops a background result overtaken by a synchronous rebuild', async () => {
    const hashes = clusteredHashes(1500, 5);
    const model = new Map(hashes.slice(0, 1000).map((h, i) => [i, h] as [number, Uint8Array]));
    const index = PdqIndex.build(model, { substrings: 11, keyBits: 20 });
    for (let i = 1000; i < 1500; i++) {
      index.add(i, hashes[i]!);
      model.set(i, hashes[i]!);
    }
    const done = index.rebuildInBackground();
    for (let i = 0; i < 600; i++) {
      index.remove(i);
      model.delete(i);
    }
    index.optimize(); // compacts: slots renumbered, so the worker's tables must not be installed
    await done;
    assert.equal(index.tableLayout.indexed, model.size);
    for (const [q, r] of [
      [700, 31],
      [1200, 40],
      [3, 31],
    ] as const)
      assert.deepEqual(index.search(hashes[q]!, r), linear(model, hashes[q]!, r));
  });
});
