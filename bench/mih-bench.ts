/**
 * MIH index benchmark: for each size, random 256-bit hashes plus planted near-duplicate needles
 * (a stored hash with exactly 31 bits flipped) and needles with no match. Prints build time,
 * memory per hash, single-hash look-ups per second on one core at radius 31, recall against a
 * linear scan, and incremental add/remove rates.
 *
 *   node --import tsx bench/mih-bench.ts [--sizes 1000000,10000000] [--substrings 12]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PdqIndex } from '../src/match/mih-index.js';
import type { PdqHit } from '../src/match/mih-index.js';
import { PDQ_BYTES, popcount32 } from '../src/pdq/index.js';

const RADIUS = 31;

export interface MihBenchOptions {
  sizes?: number[];
  substrings?: number;
  /** Seconds spent timing each look-up series. */
  seconds?: number;
}

export async function runMihBench(opts: MihBenchOptions = {}): Promise<void> {
  const sizes = opts.sizes ?? [1_000_000, 10_000_000];
  for (const n of sizes) {
    benchOne(n, opts.substrings, opts.seconds ?? 3);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function benchOne(n: number, substrings: number | undefined, seconds: number): void {
  const rng = xorshift(0x9e3779b9 ^ n);
  const data = new Uint8Array(n * PDQ_BYTES);
  fillRandom(data, rng);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`\n--- ${n.toLocaleString('en')} random hashes, radius ${RADIUS}${substrings ? `, ${substrings} substrings` : ''} ---`);

  const before = memory();
  const t0 = performance.now();
  const index = PdqIndex.build(entries(data, n), substrings ? { substrings } : {});
  const buildMs = performance.now() - t0;
  const after = memory();
  out(`build                 ${(buildMs / 1000).toFixed(2)} s`);
  out(`memory                ${((after - before) / n).toFixed(1)} bytes/hash (heap + array buffers delta), ${(index.byteLength / n).toFixed(1)} in typed arrays`);

  const planted = plantNeedles(data, n, 1000, rng);
  const misses = Array.from({ length: 1000 }, () => randomHash(rng));
  const plantedRate = lookupsPerSecond(index, planted.map((p) => p.needle), seconds);
  const missRate = lookupsPerSecond(index, misses, seconds);
  out(`look-ups (planted)    ${plantedRate.toFixed(0)}/s single-hash, one core`);
  out(`look-ups (no match)   ${missRate.toFixed(0)}/s`);

  // Recall against an independent linear scan; each scan reads all n hashes, so sample.
  const sample = Math.max(10, Math.min(200, Math.floor(2e8 / n)));
  let expected = 0;
  let found = 0;
  let exact = true;
  for (let i = 0; i < sample; i++) {
    const needle = i % 2 === 0 ? planted[i]!.needle : misses[i]!;
    const truth = linearScan(data, n, needle, RADIUS);
    const got = index.search(needle, RADIUS);
    const gotIds = new Set(got.map((h) => h.id));
    expected += truth.length;
    found += truth.filter((h) => gotIds.has(h.id)).length;
    if (JSON.stringify(truth) !== JSON.stringify(got)) exact = false;
  }
  out(`recall                ${expected === 0 ? 'n/a' : (found / expected).toFixed(4)} (${found}/${expected} on ${sample} needles; results identical: ${exact})`);

  // Incremental: adds go to the overflow; the next search folds them in (one rebuild).
  const extra = 10_000;
  const fresh = new Uint8Array(extra * PDQ_BYTES);
  fillRandom(fresh, rng);
  const t1 = performance.now();
  for (let i = 0; i < extra; i++) index.add(n + i, fresh.subarray(i * PDQ_BYTES, (i + 1) * PDQ_BYTES));
  const addMs = performance.now() - t1;
  // The first search folds the adds into the tables if they exceed the overflow limit
  // (max(2048, n/256), at most 32,768); otherwise they stay in the linearly scanned overflow.
  const t2 = performance.now();
  index.search(misses[0]!, RADIUS);
  const foldMs = performance.now() - t2;
  const overflowRate = lookupsPerSecond(index, misses, Math.min(1, seconds));
  const t3 = performance.now();
  for (let i = 0; i < extra; i++) index.remove(i * 7);
  const removeMs = performance.now() - t3;
  const afterRemove = lookupsPerSecond(index, misses, Math.min(1, seconds));
  out(`add                   ${((extra / addMs) * 1000).toFixed(0)}/s (${extra} adds; first search after: ${foldMs.toFixed(0)} ms; look-ups after: ${overflowRate.toFixed(0)}/s)`);
  out(`remove                ${((extra / removeMs) * 1000).toFixed(0)}/s (${extra} removes, tombstones; look-ups after: ${afterRemove.toFixed(0)}/s)`);
}

function* entries(data: Uint8Array, n: number): Generator<[number, Uint8Array]> {
  for (let i = 0; i < n; i++) yield [i, data.subarray(i * PDQ_BYTES, (i + 1) * PDQ_BYTES)];
}

function lookupsPerSecond(index: PdqIndex, needles: Uint8Array[], seconds: number): number {
  for (let i = 0; i < Math.min(50, needles.length); i++) index.search(needles[i]!, RADIUS); // warm up
  let done = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let sink = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 20; i++) sink += index.search(needles[done++ % needles.length]!, RADIUS).length;
  }
  if (sink < 0) throw new Error('unreachable');
  return (done / (performance.now() - start)) * 1000;
}

/** Stored hashes with exactly 31 distinct bits flipped. */
function plantNeedles(data: Uint8Array, n: number, count: number, rng: () => number): Array<{ id: number; needle: Uint8Array }> {
  const out: Array<{ id: number; needle: Uint8Array }> = [];
  for (let k = 0; k < count; k++) {
    const id = rng() % n;
    const needle = data.slice(id * PDQ_BYTES, (id + 1) * PDQ_BYTES);
    const bits = new Set<number>();
    while (bits.size < RADIUS) bits.add(rng() & 255);
    for (const b of bits) needle[b >>> 3]! ^= 1 << (b & 7);
    out.push({ id, needle });
  }
  return out;
}

function linearScan(data: Uint8Array, n: number, needle: Uint8Array, r: number): PdqHit[] {
  const words = new Int32Array(data.buffer, data.byteOffset, n * 8);
  const q = new Int32Array(needle.slice().buffer);
  const hits: PdqHit[] = [];
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let w = 0; w < 8; w++) d += popcount32(words[i * 8 + w]! ^ q[w]!);
    if (d <= r) hits.push({ id: i, distance: d });
  }
  return hits.sort((a, b) => a.distance - b.distance || a.id - b.id);
}

function randomHash(rng: () => number): Uint8Array {
  const out = new Uint8Array(PDQ_BYTES);
  fillRandom(out, rng);
  return out;
}

function fillRandom(out: Uint8Array, rng: () => number): void {
  const words = new Uint32Array(out.buffer, out.byteOffset, out.length >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = rng();
}

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0);
  };
}

let gc: (() => void) | undefined;
function memory(): number {
  if (!gc) {
    setFlagsFromString('--expose_gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function parseArgs(argv: string[]): MihBenchOptions {
  const opts: MihBenchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
    if (arg.startsWith('--sizes')) opts.sizes = String(value).split(',').map((s) => Number(s.replace(/_/g, '')));
    else if (arg.startsWith('--substrings')) opts.substrings = Number(value);
    else if (arg.startsWith('--seconds')) opts.seconds = Number(value);
    else throw new Error(`Unknown option ${arg}: use --sizes N[,N...] --substrings M --seconds S.`);
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runMihBench(parseArgs(process.argv.slice(2)));
}
