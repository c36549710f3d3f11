import * as pdqBits from '../pdq/index.js';
import { IdSlots } from './id-slots.js';
import type { Layout, Plan } from './mih-plan.js';
import * as mihPlan from './mih-plan.js';
import { buildTablesOffThread } from './mih-rebuild.js';
import type { MihTables } from './mih-tables.js';
import * as mihTables from './mih-tables.js';

// Imported bindings are copied into module constants: under a CommonJS transpile (tsx, esbuild)
// each read of an import is a getter call, which costs a third of a look-up in the hot loop.
const { CHUNK_BITS, DEFAULT_SUBSTRINGS, MAX_SLOTS, POP8, layoutFor, makeLayout, masksFor, planSearch, probeable } = mihPlan;
const { buildTables, extractBits: residual } = mihTables;
const { PDQ_BYTES, PDQ_WORDS, bytesToWords, wordsToBytes } = pdqBits;

/** One hit: the caller's row id and its Hamming distance to the query. */
export interface PdqHit {
  id: number;
  distance: number;
}

export interface PdqIndexOptions {
  /**
   * Fixes the number of substrings m (9..16). Fewer, longer substrings mean fewer candidates
   * but more buckets probed. Unset (with `keyBits` unset too), the layout adapts to the size at
   * every rebuild (`layoutFor`: 12 × 16-bit keys up to 4M hashes, 11 × 20 up to 32M, then
   * 10 × 22; docs/index.md). Set alone, keys are 16 bits as they always were.
   */
  substrings?: number;
  /** Fixes the key width of every substring (8..24; default 16 when `substrings` is set). */
  keyBits?: number;
  /**
   * `sync` (default): a search that finds too many unindexed adds rebuilds the tables there and
   * then, blocking for as long as that takes (0.4 s at 1M hashes). `background`: it starts a
   * rebuild in a worker thread instead and keeps answering from the old tables plus a scan of
   * the adds; the new tables are swapped in when ready. Rebuilds of fewer than 262,144 hashes
   * stay synchronous (tens of milliseconds, cheaper than starting a thread).
   */
  rebuild?: 'sync' | 'background';
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
/** Below this many hashes a background rebuild is done synchronously instead. */
const BACKGROUND_MIN = 2 ** 18;

/**
 * An exact multi-index-hashing (MIH) index over 256-bit PDQ hashes, held in typed arrays.
 *
 * Storage: every hash is 8 int32 words in one growable array (on a SharedArrayBuffer), at a
 * "slot". The indexed slots `[0, built)` have, per substring, a CSR bucket table (2^keyBits + 1
 * offsets + one int32 posting per hash: slot and residual bits packed); the key width grows
 * with the index (`layoutFor`). Slots `[built, count)` were added since and are scanned
 * linearly; the next search after that overflow grows past a threshold rebuilds (a counting
 * sort, linear time), in place or, with `rebuild: 'background'`, in a worker thread. Removal
 * marks a tombstone bit at once; tombstoned slots are dropped at the next synchronous rebuild,
 * which a search triggers once a quarter of the slots are dead.
 *
 * `search` is exact for every radius 0..256: where probing would cost more than a scan (about
 * 60 bits and up at 1M hashes), it scans.
 *
 * Not thread-safe; one index belongs to one event loop (the rebuild worker only reads hashes
 * below its snapshot, which the index never rewrites while it runs).
 *
 * @example
 * const index = PdqIndex.build([[1, pdqFromHex(hex)]]);
 * index.search(pdqFromHex(hex), 31); // [{ id: 1, distance: 0 }]
 */
export class PdqIndex {
  /** The layout the current tables were built with; `fixedLayout` or `layoutFor(built)`. */
  private layout: Layout;
  private readonly fixedLayout: Layout | undefined;
  private readonly strategy: 'auto' | 'probe' | 'scan';
  private readonly background: boolean;
  /** On a SharedArrayBuffer, so a rebuild worker reads the hashes without a copy. */
  private words: Int32Array<ArrayBufferLike>;
  private slots: IdSlots;
  /** Tombstone bitmap, one bit per slot. */
  private dead: Int32Array;
  private deadCount = 0;
  /** Slots in use, live or dead. */
  private count = 0;
  /** Slots `[0, built)` are in the bucket tables. */
  private built = 0;
  /** The CSR bucket tables (`MihTables`). */
  private offsets = new Int32Array(0);
  private postings = new Int32Array(0);
  private plans = new Map<number, Plan>();
  /** Bumped whenever slots are renumbered or tables replaced, so a stale background result is dropped. */
  private generation = 0;
  private pending: Promise<void> | undefined;
  /** Where the prefetching loads leave their result, so the compiler cannot drop them. */
  private sink = 0;
  /** Reused per-search buffers, so a look-up allocates almost nothing. */
  private readonly scratch: { ranges: Int32Array; allow: Int8Array; candidates: Int32Array } = {
    ranges: new Int32Array(0),
    allow: new Int8Array(0),
    candidates: new Int32Array(1024),
  };

  constructor(options: PdqIndexOptions = {}) {
    const fixed = options.substrings !== undefined || options.keyBits !== undefined;
    this.fixedLayout = fixed ? makeLayout(options.substrings ?? DEFAULT_SUBSTRINGS, options.keyBits ?? CHUNK_BITS) : undefined;
    this.layout = this.fixedLayout ?? layoutFor(0);
    this.strategy = options.strategy ?? 'auto';
    this.background = options.rebuild === 'background';
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

  /**
   * Builds an index over hashes already laid out as 8 little-endian int32 words each (the
   * layout `bytesToWords` writes), taking ownership of `words` without copying it: at 100M
   * hashes a copy would be 3.2 GB more. Slots `[0, count)` are filled; the rest of `words` is
   * room for later adds. `ids[s]` is the id of slot s (default: s itself); a later duplicate
   * replaces an earlier one. Pass words on a SharedArrayBuffer for background rebuilds to share
   * them; other words are copied once, at the first background rebuild.
   */
  static fromWords(words: Int32Array<ArrayBufferLike>, count: number, ids?: ArrayLike<number>, options: PdqIndexOptions = {}): PdqIndex {
    if (!Number.isInteger(count) || count < 0 || count * PDQ_WORDS > words.length) {
      throw new RangeError(`count must be an integer in 0..${Math.floor(words.length / PDQ_WORDS)}; got ${count}.`);
    }
    if (ids && ids.length < count) throw new RangeError(`ids has ${ids.length} entries for ${count} hashes.`);
    const index = new PdqIndex(options);
    const capacity = Math.floor(words.length / PDQ_WORDS);
    if (count > index.maxSlots) throw new RangeError(`A PdqIndex holds at most ${index.maxSlots} hashes.`);
    index.words = words;
    index.dead = new Int32Array((capacity + 31) >>> 5);
    index.slots = new IdSlots(capacity, capacity);
    const slots = index.slots;
    for (let s = 0; s < count; s++) {
      const id = ids ? ids[s]! : s;
      if (ids) {
        checkId(id);
        const old = slots.find(id);
        if (old >= 0) {
          slots.delete(id);
          index.kill(old);
        }
      }
      slots.insert(id, s);
    }
    index.count = count;
    index.rebuild();
    return index;
  }

  /** True while a background rebuild is running. */
  get rebuilding(): boolean {
    return this.pending !== undefined;
  }

  /** The layout of the current tables, for benchmarks and docs. */
  get tableLayout(): { substrings: number; keyBits: number; indexed: number } {
    return { substrings: this.layout.m, keyBits: this.layout.keyBits, indexed: this.built };
  }

  /** Number of live hashes. */
  get size(): number {
    return this.count - this.deadCount;
  }

  /** Bytes held in typed arrays (hashes, ids, bucket tables, tombstones). */
  get byteLength(): number {
    const bytes = this.words.byteLength + this.slots.byteLength + this.dead.byteLength;
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
    if (this.count >= this.maxSlots) {
      if (this.deadCount > 0) this.rebuild();
      if (this.count >= this.maxSlots) throw new RangeError(`A PdqIndex holds at most ${this.maxSlots} hashes.`);
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
      const linear = this.strategy === 'auto' ? plan.linear : this.strategy === 'scan' || !probeable(plan);
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

  /**
   * Folds recent adds into the bucket tables in a worker thread. Searches, adds and removes
   * keep working meanwhile (adds made during the rebuild stay in the scanned overflow); the new
   * tables replace the old in one step when ready. Removed hashes stay as tombstones (only a
   * synchronous rebuild compacts). Resolves when swapped, or at once if nothing is to be done;
   * concurrent calls share one rebuild. A result made stale by a synchronous rebuild meanwhile
   * is dropped. Memory: the new tables exist next to the old until the swap (4 bytes per hash
   * per substring, ~40 bytes a hash).
   */
  rebuildInBackground(): Promise<void> {
    if (this.pending) return this.pending;
    if (this.built === this.count) return Promise.resolve();
    const n = this.count;
    const generation = this.generation;
    const layout = this.fixedLayout ?? layoutFor(n);
    const shared = isShared(this.words) ? this.words : toShared(this.words);
    this.words = shared;
    const pending = buildTablesOffThread(shared, n, layout)
      .then((tables) => {
        if (this.generation === generation) this.install(tables, layout, n);
      })
      .finally(() => {
        if (this.pending === pending) this.pending = undefined;
      });
    this.pending = pending;
    return pending;
  }

  private get maxSlots(): number {
    return this.fixedLayout?.maxSlots ?? MAX_SLOTS;
  }

  private install(tables: MihTables, layout: Layout, n: number): void {
    this.offsets = tables.offsets;
    this.postings = tables.postings;
    this.layout = layout;
    this.built = n;
    this.plans.clear();
    this.generation++;
  }

  private reserve(slots: number): void {
    if (slots <= this.slots.ids.length) return;
    const words = new Int32Array(new SharedArrayBuffer(slots * PDQ_WORDS * 4));
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
    if (this.deadCount > 1024 && this.deadCount * 4 > this.count) this.rebuild();
    else if (overflow > limit) {
      // A background rebuild under way is already folding the adds in: keep scanning them
      // rather than rebuilding here, which would block and throw the worker's result away.
      if (this.pending) return;
      if (!this.background || this.count < BACKGROUND_MIN) this.rebuild();
      // A failed worker must not take searches down with it: the adds stay scanned, and the
      // next search past the limit tries again.
      else if (!this.pending) this.rebuildInBackground().catch(() => undefined);
    }
  }

  private plan(maxDistance: number): Plan {
    let plan = this.plans.get(maxDistance);
    if (!plan) {
      plan = planSearch(this.layout, this.built, maxDistance);
      this.plans.set(maxDistance, plan);
    }
    return plan;
  }

  /** Compacts away dead slots and rebuilds every bucket table by counting sort, here and now. */
  private rebuild(): void {
    if (this.deadCount > 0) this.compact();
    const n = this.count;
    const layout = this.fixedLayout ?? layoutFor(n);
    this.offsets = new Int32Array(0); // let the old tables go before allocating the new ones
    this.postings = new Int32Array(0);
    this.built = 0;
    this.install(buildTables(this.words, n, layout), layout, n);
  }

  /** Moves live slots down over dead ones, renumbering slots, and trims the arrays to fit. */
  private compact(): void {
    const oldIds = this.slots.ids;
    const live = this.count - this.deadCount;
    const words = new Int32Array(new SharedArrayBuffer(live * PDQ_WORDS * 4));
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
    this.generation++;
  }

  /** Linear scan of slots `[from, to)`. */
  private scan(q: Int32Array, r: number, from: number, to: number, hits: Hits): void {
    const words = this.words;
    const dead = this.dead;
    const checkDead = this.deadCount > 0;
    const q0 = q[0]!,
      q1 = q[1]!,
      q2 = q[2]!,
      q3 = q[3]!,
      q4 = q[4]!,
      q5 = q[5]!,
      q6 = q[6]!,
      q7 = q[7]!;
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
    const { m, keyBits, buckets, resBits, resStart } = this.layout;
    let maxRho = 0;
    for (let j = 0; j < m; j++) maxRho = Math.max(maxRho, plan.radius[j]!);
    const { masks, weightStart } = masksFor(keyBits, maxRho);
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
      const base = j * (buckets + 1);
      const key = residual(q, 0, j * keyBits, keyBits);
      const maxWeight = Math.min(rho, keyBits);
      for (let w = 0; w <= maxWeight; w++) {
        const mEnd = weightStart[w + 1]!;
        for (let mi = weightStart[w]!; mi < mEnd; mi++, v++) {
          const bucket = key ^ masks[mi]!;
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
    const q0 = q[0]!,
      q1 = q[1]!,
      q2 = q[2]!,
      q3 = q[3]!,
      q4 = q[4]!,
      q5 = q[5]!,
      q6 = q[6]!,
      q7 = q[7]!;
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

function isShared(words: Int32Array<ArrayBufferLike>): words is Int32Array<SharedArrayBuffer> {
  return words.buffer instanceof SharedArrayBuffer;
}

function toShared(words: Int32Array<ArrayBufferLike>): Int32Array<SharedArrayBuffer> {
  const shared = new Int32Array(new SharedArrayBuffer(words.byteLength));
  shared.set(words);
  return shared;
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
