/**
 * How the 256 bits are cut into substrings, and, per query radius, which substrings to probe at
 * which radius or whether to scan linearly instead. Pure arithmetic, kept apart from the index's
 * storage so it can be tested and reasoned about alone.
 *
 * Layout: substring j (0 ≤ j < m) is the `keyBits`-bit field starting at bit j·keyBits (its
 * bucket key, a direct index into a 2^keyBits-entry offset table) plus a "residual" of a few
 * more bits taken from bits m·keyBits..255, which no substring uses as a key. The residual rides
 * in the low bits of each posting next to the slot number, so a bucket is filtered on the whole
 * substring without touching the hash array and without any extra memory.
 *
 * The key width adapts to the number of hashes (`layoutFor`): a bucket table only pays while its
 * buckets hold a handful of postings each. 16-bit keys give 1,500 postings a bucket at 100M,
 * so larger indexes use fewer, wider substrings (MIH's optimum is substrings of about log2 n
 * bits, Norouzi et al.), which the pigeonhole plan below accounts for.
 */

export const CHUNK_BITS = 16;
export const BUCKETS = 1 << CHUNK_BITS;
export const MIN_SUBSTRINGS = 9;
export const MAX_SUBSTRINGS = 16;
export const DEFAULT_SUBSTRINGS = 12;
export const MIN_KEY_BITS = 8;
/** 2^24 offsets are 64 MB a substring; wider would cost more than the postings at any size we hold. */
export const MAX_KEY_BITS = 24;
/** Residuals are filtered with an 8-bit popcount table. */
export const MAX_RESIDUAL_BITS = 8;
/** Slots also index the hash array as slot * 8 in an int32, hence the 2^28 cap. */
export const MAX_SLOTS = 2 ** 28;

export interface Layout {
  readonly m: number;
  /** Key bits of every substring; substring j's key is bits [j·keyBits, (j+1)·keyBits). */
  readonly keyBits: number;
  /** 2^keyBits. */
  readonly buckets: number;
  /** Residual bits of substring j (0..8). */
  readonly resBits: Int8Array;
  /** Bit position (0..255) where substring j's residual starts. */
  readonly resStart: Int16Array;
  /** Largest slot number + 1 a posting can hold: slot and residual share 32 bits. */
  readonly maxSlots: number;
}

export function makeLayout(m: number, keyBits = CHUNK_BITS): Layout {
  if (!Number.isInteger(m) || m < MIN_SUBSTRINGS || m > MAX_SUBSTRINGS) {
    throw new RangeError(`substrings must be an integer in ${MIN_SUBSTRINGS}..${MAX_SUBSTRINGS}; got ${m}.`);
  }
  if (!Number.isInteger(keyBits) || keyBits < MIN_KEY_BITS || keyBits > MAX_KEY_BITS || m * keyBits > 256) {
    throw new RangeError(`keyBits must be an integer in ${MIN_KEY_BITS}..${MAX_KEY_BITS} with substrings × keyBits ≤ 256; got ${keyBits} × ${m}.`);
  }
  const tail = 256 - m * keyBits;
  const base = Math.floor(tail / m);
  const extra = tail - base * m;
  const maxRes = base + (extra > 0 ? 1 : 0);
  if (maxRes > MAX_RESIDUAL_BITS) {
    throw new RangeError(`${m} substrings of ${keyBits} key bits leave ${maxRes} residual bits; at most ${MAX_RESIDUAL_BITS} fit.`);
  }
  const resBits = new Int8Array(m);
  const resStart = new Int16Array(m);
  let at = m * keyBits;
  for (let j = 0; j < m; j++) {
    resBits[j] = base + (j < extra ? 1 : 0);
    resStart[j] = at;
    at += resBits[j]!;
  }
  return { m, keyBits, buckets: 2 ** keyBits, resBits, resStart, maxSlots: Math.min(2 ** (32 - maxRes), MAX_SLOTS) };
}

/**
 * The layout for an index of `n` hashes, when the caller fixes none (docs/index.md, "Scale"):
 * up to 4M, twelve 16-bit keys (+ 5-6 residual bits, 21-22-bit substrings); up to 32M, eleven
 * 20-bit keys (+ 3-4, 23-24-bit substrings); up to 2^27, nine 24-bit keys (+ 4-5, 28-29-bit
 * substrings: at 100M, 1.7× the look-ups of ten 22-bit keys for the same memory); beyond, ten
 * 22-bit keys, whose 4-bit residuals still fit beside 28-bit slots (5-bit ones leave 27).
 * Offsets cost m · 2^keyBits · 4 bytes: 3 MB, 44 MB, 576 MB and 168 MB, at most 6 bytes a hash
 * in each tier's range. Only the indexed slots need to fit a layout's `maxSlots`: adds past
 * them are scanned, not posted, until the next rebuild picks a layout for the new size.
 */
export function layoutFor(n: number): Layout {
  if (n < 2 ** 22) return makeLayout(12, 16);
  if (n < 2 ** 25) return makeLayout(11, 20);
  if (n <= 2 ** 27) return makeLayout(9, 24);
  return makeLayout(10, 22);
}

const masksByKeyBits = new Map<number, { masks: Uint32Array; weightStart: Int32Array }>();

/**
 * Every `keyBits`-bit XOR mask of popcount ≤ `maxWeight`, ordered by popcount: masks of weight
 * w are `masks[weightStart[w] .. weightStart[w + 1])`. Cached per width and grown on demand,
 * since a 24-bit key cannot enumerate all its 16M masks but only needs a few thousand.
 */
export function masksFor(keyBits: number, maxWeight: number): { masks: Uint32Array; weightStart: Int32Array } {
  const w = Math.min(maxWeight, keyBits);
  const cached = masksByKeyBits.get(keyBits);
  if (cached && cached.weightStart.length - 2 >= w) return cached;
  let total = 0;
  for (let k = 0; k <= w; k++) total += binomial(keyBits, k);
  const masks = new Uint32Array(total);
  const weightStart = new Int32Array(w + 2);
  let at = 0;
  for (let k = 0; k <= w; k++) {
    weightStart[k] = at;
    // Combinations of k bits out of keyBits in lexicographic order (Gosper's hack for k > 0).
    if (k === 0) {
      masks[at++] = 0;
      continue;
    }
    const limit = 2 ** keyBits;
    let x = 2 ** k - 1;
    while (x < limit) {
      masks[at++] = x;
      const c = x & -x;
      const r = x + c;
      x = (((r ^ x) >>> 2) / c) | r;
    }
  }
  weightStart[w + 1] = at;
  const entry = { masks, weightStart };
  masksByKeyBits.set(keyBits, entry);
  return entry;
}

/** Popcount of a byte (residuals are at most 8 bits). */
export const POP8: Uint8Array = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let c = 0;
  for (let x = i; x; x &= x - 1) c++;
  POP8[i] = c;
}

const BINOMIAL: number[][] = [];
for (let n = 0; n <= 32; n++) {
  BINOMIAL.push([]);
  for (let k = 0; k <= n; k++) BINOMIAL[n]!.push(k === 0 || k === n ? 1 : BINOMIAL[n - 1]![k - 1]! + BINOMIAL[n - 1]![k]!);
}

export function binomial(n: number, k: number): number {
  return k < 0 || k > n ? 0 : BINOMIAL[n]![k]!;
}

/**
 * Relative costs in nanoseconds, measured on the bench machine (Node 20, one core): visiting a
 * bucket, filtering one posting by its residual, verifying one candidate against the hash
 * array (mostly a cache miss), and comparing one hash in a sequential scan. Only their ratios
 * matter: they decide where MIH stops paying and the linear scan takes over.
 */
const COST_BUCKET = 4;
const COST_POSTING = 1.2;
const COST_VERIFY = 25;
const COST_LINEAR = 3;
/** Past this many bucket visits a probe is never worth it (and its masks would take memory). */
const MAX_VISITS = 2 ** 22;

export interface Plan {
  /** Probe radius per substring; -1 means skip the substring. */
  readonly radius: Int8Array;
  readonly linear: boolean;
  /** Buckets visited over all substrings. */
  readonly visits: number;
  /** Estimated cost in ns, for the docs and the bench. */
  readonly estimatedNs: number;
}

/**
 * Chooses per-substring radii for an exact search at `maxDistance` over `n` indexed hashes.
 *
 * Pigeonhole, refined (Norouzi et al., "Fast exact search in Hamming space with multi-index
 * hashing"): write r = m·q + a with 0 ≤ a < m. If all of some a+1 substrings differed by more
 * than q and all the others by more than q−1, the total would be at least m·q + a + 1 > r. So it
 * is enough to probe a+1 substrings (any of them; we pick the cheapest) at radius q and the
 * rest at q−1 (skipped when q = 0). For r = 31, m = 12: q = 2, a = 7 → 8 substrings at radius
 * 2 and 4 at radius 1; m = 10: q = 3, a = 1 → 2 at radius 3 and 8 at radius 2. The argument
 * needs only that the substrings are disjoint, so it holds for any key width.
 *
 * `linear` is set when a scan is estimated cheaper, or when the probe could not be run at all
 * (more than 2^22 bucket visits); a forced probe must still scan then.
 */
export function planSearch(layout: Layout, n: number, maxDistance: number): Plan {
  const { m, keyBits } = layout;
  const q = Math.floor(maxDistance / m);
  const a = maxDistance - q * m;
  const perBucket = n / layout.buckets;
  const hi = Array.from(layout.resBits, (bits) => substringCost(keyBits, bits, q, perBucket));
  const lo = Array.from(layout.resBits, (bits) => substringCost(keyBits, bits, q - 1, perBucket));
  const order = Array.from({ length: m }, (_, j) => j).sort((x, y) => hi[x]! - lo[x]! - (hi[y]! - lo[y]!) || x - y);
  const radius = new Int8Array(m);
  let estimatedNs = 0;
  let visits = 0;
  order.forEach((j, rank) => {
    const wide = rank <= a;
    radius[j] = wide ? Math.min(q, 127) : Math.min(q - 1, 127);
    estimatedNs += wide ? hi[j]! : lo[j]!;
    for (let w = 0; w <= Math.min(radius[j]!, keyBits); w++) visits += binomial(keyBits, w);
  });
  const linearNs = n * COST_LINEAR;
  if (visits > MAX_VISITS) return { radius, linear: true, visits, estimatedNs: linearNs };
  if (estimatedNs >= linearNs) return { radius, linear: true, visits, estimatedNs: linearNs };
  return { radius, linear: false, visits, estimatedNs };
}

/** Whether a plan can be probed at all (a forced probe falls back to a scan otherwise). */
export function probeable(plan: Plan): boolean {
  return plan.visits <= MAX_VISITS;
}

/** Expected cost of probing one substring at radius `rho`. */
function substringCost(keyBits: number, resBits: number, rho: number, perBucket: number): number {
  if (rho < 0) return 0;
  let cost = 0;
  for (let w = 0; w <= Math.min(rho, keyBits); w++) {
    const buckets = binomial(keyBits, w);
    const allow = rho - w;
    let pass = 0;
    for (let k = 0; k <= Math.min(allow, resBits); k++) pass += binomial(resBits, k);
    pass /= 2 ** resBits;
    cost += buckets * (COST_BUCKET + perBucket * (COST_POSTING + pass * COST_VERIFY));
  }
  return cost;
}
