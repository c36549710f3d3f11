/**
 * The two-way map between a caller's numeric row ids and the index's internal slots, in typed
 * arrays. A `Map<number, number>` of ten million entries costs hundreds of megabytes of heap and
 * slows every garbage collection; here the map is an open-addressing table that stores only
 * `slot + 1` (4 bytes a bucket) and compares keys through the slot → id array, so the whole
 * thing costs 4 bytes for slot → id plus about 6-10 bytes of table per id.
 */

const MIN_TABLE_BITS = 10;
/** Grow the table when it is this full; linear probing stays short below ~0.75. */
const MAX_LOAD = 0.75;
const TWO_32 = 2 ** 32;

export class IdSlots {
  /** slot → id. Uint32 while every id fits (the common case: database row ids); Float64 after. */
  ids: Uint32Array | Float64Array;
  private table: Int32Array;
  private bits: number;
  private count = 0;

  constructor(slotCapacity = 0, expectedIds = 0) {
    this.ids = new Uint32Array(slotCapacity);
    this.bits = tableBitsFor(expectedIds);
    this.table = new Int32Array(1 << this.bits);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by this structure's arrays. */
  get byteLength(): number {
    return this.ids.byteLength + this.table.byteLength;
  }

  /** Makes room for slots `0..n-1` in the slot → id array, keeping existing entries. */
  ensureSlots(n: number): void {
    if (n <= this.ids.length) return;
    const next = new (this.ids instanceof Float64Array ? Float64Array : Uint32Array)(n);
    next.set(this.ids);
    this.ids = next;
  }

  /** The slot holding `id`, or -1. */
  find(id: number): number {
    const table = this.table;
    const mask = table.length - 1;
    const ids = this.ids;
    for (let i = hashId(id, this.bits); ; i = (i + 1) & mask) {
      const entry = table[i]!;
      if (entry === 0) return -1;
      if (ids[entry - 1] === id) return entry - 1;
    }
  }

  /** Records `id` at `slot`; the caller guarantees `id` is not present. */
  insert(id: number, slot: number): void {
    if (id > 0xffffffff && this.ids instanceof Uint32Array) this.ids = Float64Array.from(this.ids);
    this.ids[slot] = id;
    if (this.count + 1 > this.table.length * MAX_LOAD) this.rehash(this.bits + 1);
    this.place(id, slot);
    this.count++;
  }

  /** Forgets `id`; returns its slot or -1. */
  delete(id: number): number {
    const table = this.table;
    const mask = table.length - 1;
    const ids = this.ids;
    let i = hashId(id, this.bits);
    for (; ; i = (i + 1) & mask) {
      const entry = table[i]!;
      if (entry === 0) return -1;
      if (ids[entry - 1] === id) break;
    }
    const slot = table[i]! - 1;
    // Backward-shift deletion: no tombstones, so lookups never slow down after many removals.
    let hole = i;
    for (let j = (i + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const home = hashId(ids[table[j]! - 1]!, this.bits);
      // Move entry j into the hole unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        table[hole] = table[j]!;
        hole = j;
      }
    }
    table[hole] = 0;
    this.count--;
    return slot;
  }

  private place(id: number, slot: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let i = hashId(id, this.bits);
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = slot + 1;
  }

  private rehash(bits: number): void {
    const old = this.table;
    this.bits = bits;
    this.table = new Int32Array(1 << bits);
    for (let i = 0; i < old.length; i++) {
      const entry = old[i]!;
      if (entry !== 0) this.place(this.ids[entry - 1]!, entry - 1);
    }
  }
}

/** The smallest table for `n` ids under the load limit. */
function tableBitsFor(n: number): number {
  let bits = MIN_TABLE_BITS;
  while ((1 << bits) * MAX_LOAD < n) bits++;
  return bits;
}

/** Fibonacci hashing: row ids are mostly sequential, and the multiply spreads them over the table. */
function hashId(id: number, bits: number): number {
  const lo = id >>> 0;
  const hi = id >= TWO_32 ? Math.floor(id / TWO_32) | 0 : 0;
  return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> (32 - bits);
}
