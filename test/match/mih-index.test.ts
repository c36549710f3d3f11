import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { IdSlots } from '../../src/match/id-slots.js';
import type { PdqIndexOptions } from '../../src/match/mih-index.js';
import { PdqIndex } from '../../src/match/mih-index.js';
import { makeLayout, planSearch } from '../../src/match/mih-plan.js';
import { pdqFromHex } from '../../src/pdq/index.js';
import { flip, linear } from '../helpers/pdq-oracle.js';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
/** A few seed hashes and many near copies (0..63 bits flipped), so every radius sees hits. */
const clustered = fc
  .tuple(
    fc.array(bytes32, { minLength: 1, maxLength: 4 }),
    fc.array(fc.tuple(fc.nat(), fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 63, size: 'max' })), { maxLength: 60, size: 'max' }),
  )
  .map(([seeds, derived]) => [...seeds, ...derived.map(([i, bits]) => flip(seeds[i % seeds.length]!, bits))]);

type Op =
  | { kind: 'add'; id: number; hash: number; flips: number[] }
  | { kind: 'remove'; id: number }
  | { kind: 'search'; hash: number; flips: number[]; r: number }
  | { kind: 'optimize' };

const opArb = (ids: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('add' as const),
        id: fc.nat(ids),
        hash: fc.nat(),
        flips: fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 40, size: 'max' }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), id: fc.nat(ids) }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('search' as const),
        hash: fc.nat(),
        flips: fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 40, size: 'max' }),
        r: fc.integer({ min: 0, max: 63 }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'optimize' as const }) },
  );

describe('PdqIndex', () => {
  for (const strategy of ['probe', 'auto'] as const) {
    it(`build then search equals a linear scan at radii 0..63 (${strategy})`, () => {
      fc.assert(
        fc.property(
          clustered,
          fc.integer({ min: 0, max: 63 }),
          fc.nat(),
          fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 40, size: 'max' }),
          (hashes, r, pick, flips) => {
            const model = new Map(hashes.map((h, i) => [i * 3 + 1, h] as [number, Uint8Array]));
            const index = PdqIndex.build(model, { strategy });
            const query = flip(hashes[pick % hashes.length]!, flips);
            assert.deepEqual(index.search(query, r), linear(model, query, r));
            assert.equal(index.size, model.size);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  for (const substrings of [11, 13, 16]) {
    it(`stays exact with ${substrings} substrings`, () => {
      fc.assert(
        fc.property(clustered, fc.integer({ min: 0, max: 63 }), fc.nat(), (hashes, r, pick) => {
          const model = new Map(hashes.map((h, i) => [i, h] as [number, Uint8Array]));
          const index = PdqIndex.build(model, { substrings, strategy: 'probe' });
          const query = hashes[pick % hashes.length]!;
          assert.deepEqual(index.search(query, r), linear(model, query, r));
        }),
        { numRuns: 40 },
      );
    });
  }

  it('stays exact under interleaved adds, removes, searches and rebuilds', () => {
    fc.assert(
      fc.property(
        clustered,
        fc.array(opArb(40), { maxLength: 120, size: 'max' }),
        fc.constantFrom<PdqIndexOptions>({ strategy: 'probe' }, {}),
        (pool, ops, options) => {
          const model = new Map<number, Uint8Array>();
          const index = new PdqIndex(options);
          for (const op of ops) {
            if (op.kind === 'add') {
              const hash = flip(pool[op.hash % pool.length]!, op.flips);
              index.add(op.id, hash);
              model.set(op.id, hash);
            } else if (op.kind === 'remove') {
              assert.equal(index.remove(op.id), model.delete(op.id));
            } else if (op.kind === 'optimize') {
              index.optimize();
            } else {
              const query = flip(pool[op.hash % pool.length]!, op.flips);
              assert.deepEqual(index.search(query, op.r), linear(model, query, op.r));
            }
            assert.equal(index.size, model.size);
          }
          for (const [id, hash] of model) {
            assert.ok(index.has(id));
            assert.deepEqual(index.get(id), hash);
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('folds a large overflow into the tables and compacts tombstones on its own', () => {
    const seed = new Uint8Array(32).fill(0xa5);
    const model = new Map<number, Uint8Array>();
    const index = PdqIndex.build([[0, seed]], { strategy: 'probe' });
    model.set(0, seed);
    let state = 7;
    const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    for (let id = 1; id <= 6000; id++) {
      const hash = flip(
        seed,
        Array.from({ length: next() % 48 }, () => next() & 255),
      );
      index.add(id, hash);
      model.set(id, hash);
      if (id % 1000 === 0) {
        const q = flip(seed, [1, 2, 3]);
        assert.deepEqual(index.search(q, 20), linear(model, q, 20));
      }
    }
    for (let id = 0; id <= 6000; id += 2) {
      index.remove(id);
      model.delete(id);
    }
    const q = flip(seed, [9, 99, 199]);
    assert.deepEqual(index.search(q, 40), linear(model, q, 40));
    assert.equal(index.size, model.size);
  });

  it('answers every radius up to 256 exactly (the scan takes over for wide radii)', () => {
    const hashes = Array.from({ length: 300 }, (_, i) => pdqFromHex(((i * 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(8)));
    const model = new Map(hashes.map((h, i) => [i, h] as [number, Uint8Array]));
    const auto = PdqIndex.build(model);
    const probe = PdqIndex.build(model, { strategy: 'probe' });
    for (const r of [0, 64, 100, 128, 200, 256]) {
      const want = linear(model, hashes[5]!, r);
      assert.deepEqual(auto.search(hashes[5]!, r), want);
      if (r <= 128) assert.deepEqual(probe.search(hashes[5]!, r), want);
    }
    assert.equal(auto.search(hashes[5]!, 256).length, 300);
  });

  it('replaces the hash when an id is added twice, and sorts hits by distance then id', () => {
    const a = new Uint8Array(32);
    const b = flip(a, [0, 1]);
    const index = PdqIndex.build([
      [5, a],
      [3, a],
      [9, b],
    ]);
    assert.deepEqual(index.search(a, 2), [
      { id: 3, distance: 0 },
      { id: 5, distance: 0 },
      { id: 9, distance: 2 },
    ]);
    index.add(5, b);
    assert.deepEqual(index.search(a, 2), [
      { id: 3, distance: 0 },
      { id: 5, distance: 2 },
      { id: 9, distance: 2 },
    ]);
    assert.equal(index.size, 3);
    assert.equal(index.remove(5), true);
    assert.equal(index.remove(5), false);
    assert.equal(index.has(5), false);
    assert.deepEqual(index.search(b, 0), [{ id: 9, distance: 0 }]);
  });

  it('accepts ids beyond 32 bits and rejects bad input', () => {
    const index = new PdqIndex();
    const big = 2 ** 40 + 7;
    index.add(big, new Uint8Array(32));
    index.add(3, new Uint8Array(32));
    assert.deepEqual(index.search(new Uint8Array(32), 0), [
      { id: 3, distance: 0 },
      { id: big, distance: 0 },
    ]);
    assert.throws(() => index.add(-1, new Uint8Array(32)), RangeError);
    assert.throws(() => index.add(1.5, new Uint8Array(32)), RangeError);
    assert.throws(() => index.add(1, new Uint8Array(31)), RangeError);
    assert.throws(() => index.search(new Uint8Array(32), 257), RangeError);
    assert.throws(() => index.search(new Uint8Array(32), -1), RangeError);
    assert.throws(() => new PdqIndex({ substrings: 10 }), RangeError);
  });
});

describe('planSearch', () => {
  it('covers the pigeonhole bound: radii sum to at least r - m + 1', () => {
    for (const m of [11, 12, 13, 16]) {
      const layout = makeLayout(m);
      for (let r = 0; r <= 256; r++) {
        const plan = planSearch(layout, 1e6, r);
        // Exactness needs: sum over substrings of (radius + 1) > r.
        const total = Array.from(plan.radius).reduce((s, x) => s + x + 1, 0);
        assert.ok(total > r, `m=${m} r=${r}`);
      }
    }
  });

  it('probes at radius 31 and scans at very wide radii, for a million hashes', () => {
    const layout = makeLayout(12);
    assert.equal(planSearch(layout, 1e6, 31).linear, false);
    assert.deepEqual(Array.from(planSearch(layout, 1e6, 31).radius).sort(), [1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
    assert.equal(planSearch(layout, 1e6, 128).linear, true);
  });
});

describe('IdSlots', () => {
  it('behaves like a Map under inserts and deletes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { minLength: 500, maxLength: 3000 }), (ops) => {
        const slots = new IdSlots(0, 0);
        const model = new Map<number, number>();
        let next = 0;
        for (const [insert, id] of ops) {
          if (insert && !model.has(id)) {
            slots.ensureSlots(next + 1);
            slots.insert(id, next);
            model.set(id, next++);
          } else if (!insert) {
            assert.equal(slots.delete(id), model.get(id) ?? -1);
            model.delete(id);
          }
        }
        for (let id = 0; id <= 3000; id++) assert.equal(slots.find(id), model.get(id) ?? -1);
        assert.equal(slots.size, model.size);
      }),
      { numRuns: 30 },
    );
  });
});
