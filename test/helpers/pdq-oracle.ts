import type { PdqHit } from '../../src/match/mih-index.js';
import { hammingBytes } from '../../src/pdq/index.js';

/** The oracle the index is held against: a plain scan over a Map, ordered as the index orders hits. */
export function linear(model: Map<number, Uint8Array>, query: Uint8Array, r: number): PdqHit[] {
  const hits: PdqHit[] = [];
  for (const [id, hash] of model) {
    const distance = hammingBytes(hash, query);
    if (distance <= r) hits.push({ id, distance });
  }
  return hits.sort((a, b) => a.distance - b.distance || a.id - b.id);
}

/** A copy of `hash` with the given bit positions flipped. */
export function flip(hash: Uint8Array, bits: number[]): Uint8Array {
  const out = hash.slice();
  for (const b of bits) out[b >>> 3]! ^= 1 << (b & 7);
  return out;
}
