import type { Layout } from './mih-plan.js';

/**
 * The bucket tables of an MIH index, built from the hash array alone: a pure function of
 * (hashes, count, layout), so the same code runs on the main thread (`PdqIndex.build`) and in
 * the rebuild worker (`mih-rebuild-worker.ts`), which reads the hashes from shared memory.
 */
export interface MihTables {
  /**
   * CSR tables of all substrings in two flat arrays: substring j's bucket b spans
   * `postings[offsets[j * (buckets + 1) + b] .. offsets[j * (buckets + 1) + b + 1])`, offsets
   * absolute. One array rather than one per substring measured twice as fast to scan in V8.
   */
  offsets: Int32Array<ArrayBuffer>;
  /** `slot << resBits[j] | residual`, read back with `>>>` so a 28-bit slot may use bit 31. */
  postings: Int32Array<ArrayBuffer>;
}

/** Counting sort per substring: two passes over the hashes, linear time. */
export function buildTables(words: Int32Array<ArrayBufferLike>, n: number, layout: Layout): MihTables {
  const { m, keyBits, buckets, resBits, resStart } = layout;
  const offsets = new Int32Array(m * (buckets + 1));
  const postings = new Int32Array(m * n);
  const cursor = new Int32Array(buckets);
  const keyMask = buckets - 1;
  // Scratch of the two-pass sort for wide keys (2 bytes a hash, plus one partition).
  let lows: Uint16Array | undefined;
  let scratch: Int32Array | undefined;
  let scratchLows: Uint16Array | undefined;
  for (let j = 0; j < m; j++) {
    const start = j * keyBits;
    const w = start >>> 5;
    const o = start & 31;
    // A key may straddle two words (not with 16-bit keys, whose loop stays as fast as before).
    const straddles = o + keyBits > 32;
    const hiShift = 32 - o;
    const table = offsets.subarray(j * (buckets + 1), (j + 1) * (buckets + 1));
    table[0] = j * n;
    if (straddles) {
      for (let at = w; at < n * 8; at += 8) table[(((words[at]! >>> o) | (words[at + 1]! << hiShift)) & keyMask) + 1]!++;
    } else {
      for (let at = w; at < n * 8; at += 8) table[((words[at]! >>> o) & keyMask) + 1]!++;
    }
    for (let b = 0; b < buckets; b++) table[b + 1]! += table[b]!;
    const rb = resBits[j]!;
    const rs = resStart[j]!;
    if (keyBits <= DIRECT_KEY_BITS) {
      // 2^16 cursors fit in L2: scatter straight to the final positions.
      cursor.set(table.subarray(0, buckets));
      for (let s = 0, at = 0; s < n; s++, at += 8) {
        const lo = words[at + w]! >>> o;
        const key = (straddles ? lo | (words[at + w + 1]! << hiShift) : lo) & keyMask;
        postings[cursor[key]!++] = (s << rb) | extractBits(words, at, rs, rb);
      }
      continue;
    }
    // Wider keys: a direct scatter over millions of buckets is a cache miss per write (11 × 20
    // bits at 10M: ~14 s against ~9 s this way, same loaded machine). Two passes instead, each with a small working set: (1) scatter into
    // 256 partitions by the key's top 8 bits, each already at its final range of `postings`,
    // keeping the key's low bits alongside; (2) counting-sort each partition (n/256 entries,
    // L2-sized) by those low bits, from a scratch copy back into place.
    const lowBits = keyBits - PARTITION_BITS;
    const lowMask = (1 << lowBits) - 1;
    const base = j * n;
    lows ??= new Uint16Array(n);
    const part = new Int32Array(PARTITIONS);
    for (let p = 0; p < PARTITIONS; p++) part[p] = table[p << lowBits]! - base;
    for (let s = 0, at = 0; s < n; s++, at += 8) {
      const lo = words[at + w]! >>> o;
      const key = (straddles ? lo | (words[at + w + 1]! << hiShift) : lo) & keyMask;
      const pos = part[key >>> lowBits]!++;
      postings[base + pos] = (s << rb) | extractBits(words, at, rs, rb);
      lows[pos] = key & lowMask;
    }
    for (let p = 0; p < PARTITIONS; p++) {
      const first = p << lowBits;
      const from = table[first]!;
      const size = table[first + (1 << lowBits)]! - from;
      if (size === 0) continue;
      if (!scratch || scratch.length < size) scratch = new Int32Array(Math.max(size, (scratch?.length ?? 0) * 2));
      if (!scratchLows || scratchLows.length < size) scratchLows = new Uint16Array(scratch.length);
      scratch.set(postings.subarray(from, from + size));
      scratchLows.set(lows.subarray(from - base, from - base + size));
      const local = cursor.subarray(0, 1 << lowBits);
      local.set(table.subarray(first, first + (1 << lowBits)));
      for (let i = 0; i < size; i++) postings[local[scratchLows[i]!]!++] = scratch[i]!;
    }
  }
  return { offsets, postings };
}

/** Keys up to this wide are scattered directly; wider ones in two cache-sized passes. */
const DIRECT_KEY_BITS = 16;
const PARTITION_BITS = 8;
const PARTITIONS = 1 << PARTITION_BITS;

/** Bits `[start, start + len)` of the hash at `words[at..at+8)`, len ≤ 31. */
export function extractBits(words: Int32Array<ArrayBufferLike>, at: number, start: number, len: number): number {
  if (len === 0) return 0;
  const w = start >>> 5;
  const o = start & 31;
  let v = words[at + w]! >>> o;
  if (o + len > 32) v |= words[at + w + 1]! << (32 - o);
  return v & ((1 << len) - 1);
}
