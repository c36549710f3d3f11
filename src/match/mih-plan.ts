/**
 * How the 256 bits are cut into substrings, and, per query radius, which substrings to probe at
 * which radius or whether to scan linearly instead. Pure arithmetic, kept apart from the index's
 * storage so it can be tested and reasoned about alone.
 *
 * Layout: substring j (0 ≤ j < m) is 16-bit chunk j of the hash (its bucket key, a direct index
 * into a 65,536-entry offset table) plus a "residual" of a few more bits taken from the chunks
 * m..15 that no substring uses as a key. The residual rides in the low bits of each posting
 * next to the slot number, so a bucket is filtered on 21-22 bits without touching the hash array
 * and without any extra memory. With m = 12, substrings are 21 or 22 bits long.
 */

export const CHUNK_BITS = 16;
export const BUCKETS = 1 << CHUNK_BITS;
export const MIN_SUBSTRINGS = 11;
export const MAX_SUBSTRINGS = 16;
export const DEFAULT_SUBSTRINGS = 12;

export interface Layout {
  readonly m: number;
  /** Residual bits of substring j (0..8). */
  readonly resBits: Int8Array;
  /** Bit position (0..255) where substring j's residual starts. */
  readonly resStart: Int16Array;
  /** Largest slot number + 1 a posting can hold: slot and residual share 32 bits. */
  readonly maxSlots: number;
}

export function makeLayout(m: number): Layout {
  if (!Number.isInteger(m) || m < MIN_SUBSTRINGS || m > MAX_SUBSTRINGS) {
    throw new RangeError(`substrings must be an integer in ${MIN_SUBSTRINGS}..${MAX_SUBSTRINGS}; got ${m}.`);
  }
  const tail = (16 - m) * CHUNK_BITS;
  const base = Math.floor(tail / m);
  const extra = tail - base * m;
  const resBits = new Int8Array(m);
  const resStart = new Int16Array(m);
  let at = m * CHUNK_BITS;
  for (let j = 0; j < m; j++) {
    resBits[j] = base + (j < extra ? 1 : 0);
    resStart[j] = at;
    at += resBits[j]!;
  }
  const maxRes = base + (extra > 0 ? 1 : 0);
  // Slots also index the hash array as slot * 8 in an int32, hence the 2^28 cap.
  return { m, resBits, resStart, maxSlots: Math.min(2 ** (32 - maxRes), 2 ** 28) };
}

/** Every 16-bit XOR mask, ordered by popcount; masks of weight w are MASKS[WEIGHT_START[w]..WEIGHT_START[w+1]). */
export const MASKS: Uint16Array = new Uint16Array(BUCKETS);
export const WEIGHT_START: Int32Array = new Int32Array(CHUNK_BITS + 2);
/** Popcount of a byte (residuals are at most 8 bits). */
export const POP8: Uint8Array = new Uint8Array(256);
{
  const weight = (x: number): number => {
    let c = 0;
    for (; x; x &= x - 1) c++;
    return c;
  };
  for (let i = 0; i < 256; i++) POP8[i] = weight(i);
  const byWeight: number[][] = Array.from({ length: CHUNK_BITS + 1 }, () => []);
  for (let x = 0; x < BUCKETS; x++) byWeight[weight(x)]!.push(x);
  let k = 0;
  for (let w = 0; w <= CHUNK_BITS; w++) {
    WEIGHT_START[w] = k;
    for (const x of byWeight[w]!) MASKS[k++] = x;
  }
  WEIGHT_START[CHUNK_BITS + 1] = k;
}

const BINOMIAL: number[][] = [];
for (let n = 0; n <= CHUNK_BITS; n++) {
  BINOMIAL.push([]);
  for (let k = 0; k <= n; k++) BINOMIAL[n]!.push(k === 0 || k === n ? 1 : BINOMIAL[n - 1]![k - 1]! + BINOMIAL[n - 1]![k]!);
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
 * 2 and 4 at radius 1.
 */
export function planSearch(layout: Layout, n: number, maxDistance: number): Plan {
  const { m } = layout;
  const q = Math.floor(maxDistance / m);
  const a = maxDistance - q * m;
  const perBucket = n / BUCKETS;
  const hi = Array.from(layout.resBits, (bits) => substringCost(bits, q, perBucket));
  const lo = Array.from(layout.resBits, (bits) => substringCost(bits, q - 1, perBucket));
  const order = Array.from({ length: m }, (_, j) => j).sort((x, y) => hi[x]! - lo[x]! - (hi[y]! - lo[y]!) || x - y);
  const radius = new Int8Array(m);
  let estimatedNs = 0;
  let visits = 0;
  order.forEach((j, rank) => {
    const wide = rank <= a;
    radius[j] = wide ? Math.min(q, 127) : Math.min(q - 1, 127);
    estimatedNs += wide ? hi[j]! : lo[j]!;
    for (let w = 0; w <= Math.min(radius[j]!, CHUNK_BITS); w++) visits += BINOMIAL[CHUNK_BITS]![w]!;
  });
  const linearNs = n * COST_LINEAR;
  if (estimatedNs >= linearNs || q > CHUNK_BITS) return { radius, linear: true, visits, estimatedNs: linearNs };
  return { radius, linear: false, visits, estimatedNs };
}

/** Expected cost of probing one substring at radius `rho`. */
function substringCost(resBits: number, rho: number, perBucket: number): number {
  if (rho < 0) return 0;
  let cost = 0;
  for (let w = 0; w <= Math.min(rho, CHUNK_BITS); w++) {
    const buckets = BINOMIAL[CHUNK_BITS]![w]!;
    const allow = rho - w;
    let pass = 0;
    for (let k = 0; k <= Math.min(allow, resBits); k++) pass += BINOMIAL[resBits]![k]!;
    pass /= 2 ** resBits;
    cost += buckets * (COST_BUCKET + perBucket * (COST_POSTING + pass * COST_VERIFY));
  }
  return cost;
}
