import { IdSlots } from './id-slots.js';
import * as mihPlan from './mih-plan.js';
import type { Layout, Plan } from './mih-plan.js';
import * as pdqBits from '../pdq/index.js';

// Imported bindings are copied into module constants: under a CommonJS transpile (tsx, esbuild)
// each read of an import is a getter call, which costs a third of a look-up in the hot loop.
const { BUCKETS, DEFAULT_SUBSTRINGS, MASKS, POP8, WEIGHT_START, makeLayout, planSearch } = mihPlan;
const { PDQ_BYTES, PDQ_WORDS, bytesToWords, wordsToBytes } = pdqBits;

/** One hit: the caller's row id and its Hamming distance to the query. */
export interface PdqHit {
  id: number;
  distance: number;
}

export interface PdqIndexOptions {
  /**
   * Number of substrings m (11..16, default 12). Fewer, longer substrings mean fewer candidates
   * but more buckets probed; 12 measured best at 1M-10M hashes and radius 31 (docs/index.md).
   */
  substrings?: number;
  /**
   * How `search` reaches the indexed part: `auto` (default) probes or scans, whichever the cost
   * model says is cheaper; `probe` and `scan` force one, for tests and benchmarks.
   */
  strategy?: 'auto' | 'probe' | 'scan';
}

/** Hashes added since the last build are scanned linearly until there are this many... */
const MIN_OVERFLOW = 2048;
/** ...or this fraction of the indexed part (so the scan stays a small share of a look-up)... */
const OVERFLOW_SHIFT = 8;
/** ...capped here; past the limit, the next search folds them into the index. */
const MAX_OVERFLOW = 32_768;

/**
 * An exact multi-index-hashing (MIH) index over 256-bit PDQ hashes, held in typed arrays.
 *
 * Storage: every hash is 8 int32 words in one growable array, at a "slot". The indexed slots
 * `[0, built)` have, per substring, a CSR bucket table (65,537 offsets + one int32 posting per
 * hash: slot and residual bits packed). Slots `[built, count)` were added since and are scanned
 * linearly; the next search after that overflow grows past a threshold rebuilds (a counting
 * sort, linear time). Removal marks a tombstone bit at once; tombstoned slots are dropped at the
 * next rebuild, which a search triggers once a quarter of the slots are dead.
 *
 * `search` is exact for every radius 0..256: where probing would cost more than a scan (about
 * 60 bits and up at 1M hashes), it scans.
 *
 * Not thread-safe; one index belongs to one event loop.
 *
 * @example
 * const index = PdqIndex.build([[1, pdqFromHex(hex)]]);
 * index.search(pdqFromHex(hex), 31); // [{ id: 1, distance: 0 }]
 */
export class PdqIndex {
  private readonly layout: Layout;
  private readonly strategy: 'auto' | 'probe' | 'scan';
  private words: Int32Array;
  private slots: IdSlots;
  /** Tombstone bitmap, one bit per slot. */
  private dead: Int32Array;
  private deadCount = 0;
  /** Slots in use, live or dead. */
  private count = 0;
  /** Slots `[0, built)` are in the bucket tables. */
  private built = 0;
  /**
   * CSR tables of all substrings in two flat arrays: substring j's bucket b spans
   * `postings[offsets[j * 65537 + b] .. offsets[j * 65537 + b + 1])`, offsets absolute. One array
   * rather than one per substring measured twice as fast to scan in V8.
   */
  private offsets = new Int32Array(0);
  private postings = new Int32Array(0);
  private plans = new Map<number, Plan>();
  /** Where the prefetching loads leave their result, so the compiler cannot drop them. */
  private sink = 0;
  /** Reused per-search buffers, so a look-up allocates almost nothing. */
  private readonly scratch: { ranges: Int32Array; allow: Int8Array; candidates: Int32Array } = {
    ranges: new Int32Array(0),
    allow: new Int8Array(0),
    candidates: new Int32Array(1024),
  };

  constructor(options: PdqIndexOptions = {}) {
    this.layout = makeLayout(options.substrings ?? DEFAULT_SUBSTRINGS);
    this.strategy = options.strategy ?? 'auto';
    this.words = new Int32Array(0);
    this.dead = new Int32Array(0);
    this.slots = new IdSlots();
  }

  /**
   * Builds an index from `[id, 32-byte hash]` pairs in one pass (a later duplicate id replaces
   * an earlier one). Much faster than repeated `add` followed by a search.
   */
  static build(entries: Iterable<readonly [number, Uint8Array]>, options: PdqIndexOptions = {}): PdqIndex {
    const index = new PdqIndex(options);
    const hint = Array.isArray(entries) ? entries.length : 0;
    if (hint > 0) index.reserve(hint);
    for (const [id, hash] of entries) index.add(id, hash);
    index.rebuild();
    return index;
  }

  /** Number of live hashes. */
  get size(): number {
    return this.count - this.deadCount;
  }

  /** Bytes held in typed arrays (hashes, ids, bucket tables, tombstones). */
  get byteLength(): number {
    let bytes = this.words.byteLength + this.slots.byteLength + this.dead.byteLength;
    return bytes + this.offsets.byteLength + this.postings.byteLength;
  }

  has(id: number): boolean {
    return this.slots.find(id) >= 0;
  }

  /** The hash stored for `id`, or undefined. */
  get(id: number): Uint8Array | undefined {
    const slot = this.slots.find(id);
    return slot < 0 ? undefined : wordsToBytes(this.words, slot * PDQ_WORDS);
  }

  /**
   * Adds (or replaces) the hash of `id`. Visible to the next search at once.
   *
   * @param id a non-negative safe integer chosen by the caller (typically a row id).
   * @param hash the 32 bytes of a PDQ hash.
   */
  add(id: number, hash: Uint8Array): void {
    checkId(id);
    checkHash(hash);
    const old = this.slots.find(id);
    if (old >= 0) {
      this.slots.delete(id);
      this.kill(old);
    }
    if (this.count >= this.layout.maxSlots) {
      if (this.deadCount > 0) this.rebuild();
      if (this.count >= this.layout.maxSlots) throw new RangeError(`A PdqIndex holds at most ${this.layout.maxSlots} hashes.`);
    }
    if (this.count === this.slots.ids.length) this.reserve(Math.max(1024, Math.ceil(this.count * 1.5)));
    const slot = this.count++;
    bytesToWords(hash, this.words, slot * PDQ_WORDS);
    this.slots.insert(id, slot);
  }

  /** Removes `id`; the next search no longer finds it. Returns false when absent. */
  remove(id: number): boolean {
    const slot = this.slots.delete(id);
    if (slot < 0) return false;
    this.kill(slot);
    return true;
  }

  /**
   * Every stored hash within Hamming distance `maxDistance` (inclusive) of `hash`, sorted by
   * distance, then id. Exact for every radius 0..256.
   */
  search(hash: Uint8Array, maxDistance: number): PdqHit[] {
    checkHash(hash);
    if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 256) {
      throw new RangeError(`maxDistance must be an integer in 0..256; got ${maxDistance}.`);
    }
    this.maintain();
    const q = new Int32Array(PDQ_WORDS);
    bytesToWords(hash, q, 0);
    const hits = new Hits();
    if (this.built > 0) {
      const plan = this.plan(maxDistance);
      const linear = this.strategy === 'auto' ? plan.linear : this.strategy === 'scan';
      if (linear) this.scan(q, maxDistance, 0, this.built, hits);
      else this.probe(q, maxDistance, plan, hits);
    }
    this.scan(q, maxDistance, this.built, this.count, hits);
    return hits.toSorted(this.slots.ids);
  }

  /** Folds recent adds into the bucket tables and drops removed hashes now, instead of lazily. */
  optimize(): void {
    if (this.built < this.count || this.deadCount > 0) this.rebuild();
  }

  private reserve(slots: number): void {
    if (slots <= this.slots.ids.length) return;
    const words = new Int32Array(slots * PDQ_WORDS);
    words.set(this.words.subarray(0, this.count * PDQ_WORDS));
    this.words = words;
    const dead = new Int32Array((slots + 31) >>> 5);
    dead.set(this.dead);
    this.dead = dead;
    this.slots.ensureSlots(slots);
  }

  private kill(slot: number): void {
    this.dead[slot >>> 5]! |= 1 << (slot & 31);
    this.deadCount++;
  }

  private maintain(): void {
    const overflow = this.count - this.built;
    const limit = Math.min(MAX_OVERFLOW, Math.max(MIN_OVERFLOW, this.built >>> OVERFLOW_SHIFT));
    if (overflow > limit || (this.deadCount > 1024 && this.deadCount * 4 > this.count)) this.rebuild();
  }

  private plan(maxDistance: number): Plan {
    let plan = this.plans.get(maxDistance);
    if (!plan) {
      plan = planSearch(this.layout, this.built, maxDistance);
      this.plans.set(maxDistance, plan);
    }
    return plan;
  }

  /** Compacts away dead slots and rebuilds every bucket table by counting sort. */
  private rebuild(): void {
    if (this.deadCount > 0) this.compact();
    const n = this.count;
    const { m, resBits, resStart } = this.layout;
    const words = this.words;
    const cursor = new Int32Array(BUCKETS);
    this.offsets = new Int32Array(0); // let the old tables go before allocating the new ones
    this.postings = new Int32Array(0);
    const allOffsets = new Int32Array(m * (BUCKETS + 1));
    const postings = new Int32Array(m * n);
    for (let j = 0; j < m; j++) {
      const word = j >>> 1;
      const shift = (j & 1) << 4;
      const offsets = allOffsets.subarray(j * (BUCKETS + 1), (j + 1) * (BUCKETS + 1));
      offsets[0] = j * n;
      for (let s = 0, at = word; s < n; s++, at += PDQ_WORDS) offsets[((words[at]! >>> shift) & 0xffff) + 1]!++;
      for (let b = 0; b < BUCKETS; b++) offsets[b + 1]! += offsets[b]!;
      cursor.set(offsets.subarray(0, BUCKETS));
      const rb = resBits[j]!;
      const rs = resStart[j]!;
      for (let s = 0, at = 0; s < n; s++, at += PDQ_WORDS) {
        const key = (words[at + word]! >>> shift) & 0xffff;
        postings[cursor[key]!++] = (s << rb) | residual(words, at, rs, rb);
      }
    }
    this.offsets = allOffsets;
    this.postings = postings;
    this.built = n;
    this.plans.clear();
  }

  /** Moves live slots down over dead ones, renumbering slots, and trims the arrays to fit. */
  private compact(): void {
    const oldIds = this.slots.ids;
    const live = this.count - this.deadCount;
    const words = new Int32Array(live * PDQ_WORDS);
    const fresh = new IdSlots(live, live);
    let to = 0;
    for (let s = 0; s < this.count; s++) {
      if ((this.dead[s >>> 5]! >>> (s & 31)) & 1) continue;
      words.set(this.words.subarray(s * PDQ_WORDS, (s + 1) * PDQ_WORDS), to * PDQ_WORDS);
      fresh.insert(oldIds[s]!, to);
      to++;
    }
    this.words = words;
    this.slots = fresh;
    this.dead = new Int32Array((live + 31) >>> 5);
    this.deadCount = 0;
    this.count = live;
    this.built = 0;
  }

  /** Linear scan of slots `[from, to)`. */
  private scan(q: Int32Array, r: number, from: number, to: number, hits: Hits): void {
    const words = this.words;
    const dead = this.dead;
    const checkDead = this.deadCount > 0;
    const q0 = q[0]!, q1 = q[1]!, q2 = q[2]!, q3 = q[3]!, q4 = q[4]!, q5 = q[5]!, q6 = q[6]!, q7 = q[7]!;
    for (let s = from, at = from * PDQ_WORDS; s < to; s++, at += PDQ_WORDS) {
      let d = pop(words[at]! ^ q0) + pop(words[at + 1]! ^ q1) + pop(words[at + 2]! ^ q2) + pop(words[at + 3]! ^ q3);
      if (d > r) continue;
      d += pop(words[at + 4]! ^ q4) + pop(words[at + 5]! ^ q5) + pop(words[at + 6]! ^ q6) + pop(words[at + 7]! ^ q7);
      if (d > r) continue;
      if (checkDead && (dead[s >>> 5]! >>> (s & 31)) & 1) continue;
      hits.push(s, d);
    }
  }

  /**
   * MIH probe of the bucket tables, verifying each candidate against the hash array.
   *
   * At a million hashes and more the tables do not fit in cache, and nearly every bucket visit
   * and every candidate is a cache miss. Done naively (bucket → postings → hash, one after the
   * other) each miss waits for the previous one. So the probe runs in three passes whose loads
   * do not depend on each other within a pass, letting the CPU keep many misses in flight:
   * (1) read every probed bucket's bounds, (2) filter every bucket's postings by residual into a
   * candidate list, (3) verify the candidates. Measured 3× faster than the nested loop.
   */
  private probe(q: Int32Array, r: number, plan: Plan, hits: Hits): void {
    const { m, resBits, resStart } = this.layout;
    // Pass 1: bucket bounds. `allowOf` holds the residual distance still allowed in each bucket.
    const scratch = this.scratch;
    let ranges = scratch.ranges;
    if (ranges.length < plan.visits * 2) ranges = scratch.ranges = new Int32Array(plan.visits * 2);
    let allowOf = scratch.allow;
    if (allowOf.length < plan.visits) allowOf = scratch.allow = new Int8Array(plan.visits);
    const firstVisit = new Int32Array(m + 1);
    let v = 0;
    for (let j = 0; j < m; j++) {
      firstVisit[j] = v;
      const rho = plan.radius[j]!;
      if (rho < 0) continue;
      const offsets = this.offsets;
      const base = j * (BUCKETS + 1);
      const key = (q[j >>> 1]! >>> ((j & 1) << 4)) & 0xffff;
      const maxWeight = Math.min(rho, 16);
      for (let w = 0; w <= maxWeight; w++) {
        const mEnd = WEIGHT_START[w + 1]!;
        for (let mi = WEIGHT_START[w]!; mi < mEnd; mi++, v++) {
          const bucket = key ^ MASKS[mi]!;
          ranges[2 * v] = offsets[base + bucket]!;
          ranges[2 * v + 1] = offsets[base + bucket + 1]!;
          allowOf[v] = rho - w;
        }
      }
    }
    firstVisit[m] = v;
    // Pass 2: candidates whose residual is close enough. First touch every cache line of every
    // bucket with bare loads (the CPU overlaps dozens of those misses), then filter from cache:
    // a filter loop stalls on each miss, because its own work fills the reorder window.
    const postings = this.postings;
    let sink = 0;
    for (let u = 0; u < v; u++) {
      const from = ranges[2 * u]!;
      const to = ranges[2 * u + 1]!;
      for (let p = from; p < to; p += 16) sink ^= postings[p]!;
      if (to > from) sink ^= postings[to - 1]!;
    }
    let cand = scratch.candidates;
    let c = 0;
    for (let j = 0; j < m; j++) {
      const vEnd = firstVisit[j + 1]!;
      if (firstVisit[j] === vEnd) continue;
      const rb = resBits[j]!;
      const rmask = (1 << rb) - 1;
      const qres = residual(q, 0, resStart[j]!, rb);
      for (let u = firstVisit[j]!; u < vEnd; u++) {
        const from = ranges[2 * u]!;
        const to = ranges[2 * u + 1]!;
        if (cand.length - c < to - from) cand = scratch.candidates = grow(cand, c + to - from);
        const allow = allowOf[u]!;
        if (allow >= rb) {
          for (let p = from; p < to; p++) cand[c++] = postings[p]! >>> rb;
        } else {
          for (let p = from; p < to; p++) {
            const posting = postings[p]!;
            if (POP8[(posting ^ qres) & rmask]! <= allow) cand[c++] = posting >>> rb;
          }
        }
      }
    }
    // Pass 3: verify against the full hashes.
    const words = this.words;
    const dead = this.dead;
    const checkDead = this.deadCount > 0;
    // Same trick: touch each candidate's line first, then compare from cache.
    for (let i = 0; i < c; i++) sink ^= words[cand[i]! << 3]!;
    this.sink = sink;
    const q0 = q[0]!, q1 = q[1]!, q2 = q[2]!, q3 = q[3]!, q4 = q[4]!, q5 = q[5]!, q6 = q[6]!, q7 = q[7]!;
    for (let i = 0; i < c; i++) {
      const s = cand[i]!;
      const at = s << 3;
      let d = pop(words[at]! ^ q0) + pop(words[at + 1]! ^ q1) + pop(words[at + 2]! ^ q2) + pop(words[at + 3]! ^ q3);
      if (d > r) continue;
      d += pop(words[at + 4]! ^ q4) + pop(words[at + 5]! ^ q5) + pop(words[at + 6]! ^ q6) + pop(words[at + 7]! ^ q7);
      if (d > r) continue;
      if (checkDead && (dead[s >>> 5]! >>> (s & 31)) & 1) continue;
      hits.push(s, d);
    }
  }
}

function grow(a: Int32Array, atLeast: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(Math.max(atLeast, a.length * 2));
  next.set(a);
  return next;
}

/**
 * Hits by slot. A true match can be reached through several substrings, so duplicates are
 * dropped here; only matches (few) are ever pushed, never mere candidates.
 */
class Hits {
  private slots: number[] = [];
  private distances: number[] = [];

  push(slot: number, distance: number): void {
    this.slots.push(slot);
    this.distances.push(distance);
  }

  toSorted(ids: Uint32Array | Float64Array): PdqHit[] {
    const out: PdqHit[] = [];
    const seen = this.slots.length > 1 ? new Set<number>() : undefined;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      if (seen) {
        if (seen.has(slot)) continue;
        seen.add(slot);
      }
      out.push({ id: ids[slot]!, distance: this.distances[i]! });
    }
    return out.sort((a, b) => a.distance - b.distance || a.id - b.id);
  }
}

/** Bits `[start, start + len)` of the hash at `words[at..at+8)`, len ≤ 8. */
function residual(words: Int32Array, at: number, start: number, len: number): number {
  if (len === 0) return 0;
  const w = start >>> 5;
  const o = start & 31;
  let v = words[at + w]! >>> o;
  if (o + len > 32) v |= words[at + w + 1]! << (32 - o);
  return v & ((1 << len) - 1);
}

function pop(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function checkId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`An index id must be a non-negative safe integer; got ${id}.`);
}

function checkHash(hash: Uint8Array): void {
  if (!(hash instanceof Uint8Array) || hash.length !== PDQ_BYTES) {
    throw new RangeError(`A PDQ hash is ${PDQ_BYTES} bytes; got ${hash instanceof Uint8Array ? hash.length : typeof hash}.`);
  }
}
