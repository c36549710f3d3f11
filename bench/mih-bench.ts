/**
 * MIH index benchmark: for each size, random 256-bit hashes generated straight into one
 * shared Int32Array (no per-hash objects: 100M hashes are 3.2 GB raw), indexed in place with
 * `PdqIndex.fromWords`. Prints build time, bytes per hash (the index's typed arrays, and the
 * process RSS), single-hash look-ups per second on one core for planted near-duplicates at
 * every distance 0..radius and for random misses, exactness against a linear scan on a sample,
 * and a background rebuild (worker thread) while look-ups continue: its duration, the
 * look-up rate meanwhile, and the largest event-loop stall measured during it.
 *
 *   npm run bench -- mih [--n 1000000] [--sizes 1000000,10000000] [--radius 31]
 *                        [--seconds 3] [--substrings M --key-bits K]
 */
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

import type { PdqHit, PdqIndexOptions } from '../src/match/mih-index.js';
import { PdqIndex } from '../src/match/mih-index.js';
import { PDQ_BYTES, PDQ_WORDS, popcount32, wordsToBytes } from '../src/pdq/index.js';

export interface MihBenchOptions {
  sizes?: number[];
  radius?: number;
  substrings?: number;
  keyBits?: number;
  /** Seconds spent timing each look-up series. */
  seconds?: number;
}

export async function runMihBench(opts: MihBenchOptions = {}): Promise<void> {
  const sizes = opts.sizes ?? [1_000_000, 10_000_000];
  for (const n of sizes) {
    await benchOne(n, opts);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const out = (line: string): boolean => process.stdout.write(`${line}\n`);
const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

async function benchOne(n: number, opts: MihBenchOptions): Promise<void> {
  const radius = opts.radius ?? 31;
  const seconds = opts.seconds ?? 3;
  // Adds made before the background rebuild: enough to be past the overflow limit at any size.
  const extra = 50_000;
  const rng = xorshift(0x9e3779b9 ^ n);
  const t00 = performance.now();
  const words = new Int32Array(new SharedArrayBuffer((n + extra) * PDQ_BYTES));
  for (let i = 0; i < n * PDQ_WORDS; i++) words[i] = rng();
  const genMs = performance.now() - t00;
  const layoutOpts: PdqIndexOptions = {};
  if (opts.substrings !== undefined) layoutOpts.substrings = opts.substrings;
  if (opts.keyBits !== undefined) layoutOpts.keyBits = opts.keyBits;
  out(`\n--- ${n.toLocaleString('en')} random hashes, radius ${radius} (generated in ${(genMs / 1000).toFixed(1)} s) ---`);

  const t0 = performance.now();
  const index = PdqIndex.fromWords(words, n, undefined, { ...layoutOpts, rebuild: 'background' });
  const buildMs = performance.now() - t0;
  const layout = index.tableLayout;
  out(`layout                ${layout.substrings} substrings × ${layout.keyBits}-bit keys`);
  out(`build                 ${(buildMs / 1000).toFixed(2)} s (ids + bucket tables; hashes indexed in place)`);
  out(
    `memory                ${(index.byteLength / n).toFixed(1)} bytes/hash in the index's typed arrays (hashes, ids, id table, tombstones, tables; ${gib(index.byteLength)}, capacity for ${extra.toLocaleString('en')} more included); process RSS ${gib(process.memoryUsage.rss())}`,
  );

  // Needles: stored hashes with exactly d bits flipped, d cycling through 0..radius, and
  // fresh random hashes (almost surely > radius from everything).
  const planted = Array.from({ length: 1000 }, (_, k) => plant(words, n, k % (radius + 1), rng));
  const misses = Array.from({ length: 1000 }, () => randomHash(rng));
  const plantedRate = lookupsPerSecond(index, planted, radius, seconds);
  const missRate = lookupsPerSecond(index, misses, radius, seconds);
  out(`look-ups (planted)    ${plantedRate.toFixed(0)}/s single-hash, one core (distance 0..${radius}, evenly)`);
  out(`look-ups (no match)   ${missRate.toFixed(0)}/s`);

  // Exactness against an independent linear scan; each scan reads all n hashes, so sample.
  const sample = Math.max(4, Math.min(200, Math.floor(2e8 / n)));
  let expected = 0;
  let exact = true;
  for (let i = 0; i < sample; i++) {
    const needle = i % 2 === 0 ? planted[i]! : misses[i]!;
    const truth = linearScan(words, n, needle, radius);
    expected += truth.length;
    if (JSON.stringify(truth) !== JSON.stringify(index.search(needle, radius))) exact = false;
  }
  out(`exact                 ${exact} (${sample} needles against a linear scan, ${expected} hits expected)`);

  // Adds go to the linearly scanned overflow; then a background rebuild folds them in while
  // look-ups go on in ~2 ms slices, as a server's requests would. The rebuild is started
  // before any search: past the overflow limit a search would start it by itself.
  const fresh = new Uint8Array(PDQ_BYTES);
  const fw = new Uint32Array(fresh.buffer);
  const t1 = performance.now();
  for (let i = 0; i < extra; i++) {
    for (let w = 0; w < PDQ_WORDS; w++) fw[w] = rng();
    index.add(n + i, fresh);
  }
  const addMs = performance.now() - t1;
  out(`add                   ${((extra / addMs) * 1000).toFixed(0)}/s (${extra.toLocaleString('en')} adds)`);
  const mixed = [...planted, ...misses];
  const stall = await lookupsUnderLoad(index, mixed, radius, () => index.rebuildInBackground());
  out(
    `background rebuild    ${(stall.ms / 1000).toFixed(2)} s for ${index.tableLayout.indexed.toLocaleString('en')} hashes; ${stall.lookups.toLocaleString('en')} look-ups answered meanwhile (${stall.rate.toFixed(0)}/s, the adds scanned linearly); max event-loop stall ${stall.maxStallMs.toFixed(1)} ms (at ${(stall.maxStallAt * 100).toFixed(0)}% of it; p99 ${stall.p99Ms.toFixed(1)} ms, 2 ms look-up slices included); RSS peak ${gib(stall.peakRss)}`,
  );
  const base = await lookupsUnderLoad(index, mixed, radius, undefined, Math.min(5000, Math.max(1000, stall.ms)));
  out(
    `baseline, no rebuild  max event-loop stall ${base.maxStallMs.toFixed(1)} ms (p99 ${base.p99Ms.toFixed(1)} ms) over ${(base.ms / 1000).toFixed(1)} s of the same look-ups (${base.rate.toFixed(0)}/s)`,
  );
  const afterRate = lookupsPerSecond(index, misses, radius, Math.min(1, seconds));
  out(`look-ups after swap   ${afterRate.toFixed(0)}/s (no match)`);
}

interface StallReport {
  ms: number;
  lookups: number;
  rate: number;
  maxStallMs: number;
  /** When the largest timer gap ended, as a fraction 0..1 of the run. */
  maxStallAt: number;
  p99Ms: number;
  peakRss: number;
}

/**
 * Look-ups in ~2 ms slices for as long as `work` runs (or `idleMs` when there is none), with
 * two stall probes: perf_hooks' event-loop delay histogram and the largest gap between 1 ms
 * timer ticks. Run once with no work as a baseline: on a shared machine, being descheduled
 * shows up as a stall too.
 */
async function lookupsUnderLoad(
  index: PdqIndex,
  needles: Uint8Array[],
  radius: number,
  work: (() => Promise<void>) | undefined,
  idleMs = 0,
): Promise<StallReport> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  // A second, independent probe: the largest gap between 1 ms timer ticks.
  let last = performance.now();
  let maxGap = 0;
  let maxGapAt = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    if (now - last > maxGap) {
      maxGap = now - last;
      maxGapAt = now;
    }
    last = now;
  }, 1);
  let peakRss = process.memoryUsage.rss();
  const rss = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 200);
  histogram.enable();
  let lookups = 0;
  let running = true;
  const t0 = performance.now();
  const done = (work ? work() : new Promise<void>((r) => setTimeout(r, idleMs))).finally(() => {
    running = false;
  });
  let sink = 0;
  await new Promise<void>((resolveLoop) => {
    const slice = (): void => {
      const end = performance.now() + 2;
      while (performance.now() < end) sink += index.search(needles[lookups++ % needles.length]!, radius).length;
      if (running) setImmediate(slice);
      else resolveLoop();
    };
    setImmediate(slice);
  });
  await done;
  const ms = performance.now() - t0;
  histogram.disable();
  clearInterval(probe);
  clearInterval(rss);
  if (sink < 0) throw new Error('unreachable');
  const maxStallMs = Math.max(maxGap, histogram.max / 1e6);
  // Where the worst gap ended, as a fraction of the run: near 0 is the worker's start, near 1 the swap.
  const at = (maxGapAt - t0) / ms;
  return { ms, lookups, rate: (lookups / ms) * 1000, maxStallMs, maxStallAt: at, p99Ms: histogram.percentile(99) / 1e6, peakRss };
}

function lookupsPerSecond(index: PdqIndex, needles: Uint8Array[], radius: number, seconds: number): number {
  for (let i = 0; i < Math.min(50, needles.length); i++) index.search(needles[i]!, radius); // warm up
  let done = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let sink = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 5; i++) sink += index.search(needles[done++ % needles.length]!, radius).length;
  }
  if (sink < 0) throw new Error('unreachable');
  return (done / (performance.now() - start)) * 1000;
}

/** A stored hash with exactly `d` distinct bits flipped. */
function plant(words: Int32Array<ArrayBufferLike>, n: number, d: number, rng: () => number): Uint8Array {
  const needle = wordsToBytes(words as Int32Array, (rng() % n) * PDQ_WORDS);
  const bits = new Set<number>();
  while (bits.size < d) bits.add(rng() & 255);
  for (const b of bits) needle[b >>> 3]! ^= 1 << (b & 7);
  return needle;
}

function linearScan(words: Int32Array<ArrayBufferLike>, n: number, needle: Uint8Array, r: number): PdqHit[] {
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
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < words.length; i++) words[i] = rng();
  return out;
}

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

export function parseMihArgs(argv: string[]): MihBenchOptions {
  const opts: MihBenchOptions = {};
  const num = (value: string | undefined, arg: string): number => {
    const v = Number(String(value).replace(/_/g, ''));
    if (!Number.isFinite(v) || v < 0) throw new Error(`${arg} needs a number; got ${value}.`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
    const name = arg.split('=')[0];
    if (name === '--sizes')
      opts.sizes = String(value)
        .split(',')
        .map((s) => num(s, arg));
    else if (name === '--n') opts.sizes = [num(value, arg)];
    else if (name === '--radius') opts.radius = num(value, arg);
    else if (name === '--substrings') opts.substrings = num(value, arg);
    else if (name === '--key-bits') opts.keyBits = num(value, arg);
    else if (name === '--seconds') opts.seconds = num(value, arg);
    else throw new Error(`Unknown option ${arg}: use --n N | --sizes N[,N...], --radius R, --seconds S, --substrings M, --key-bits K.`);
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runMihBench(parseMihArgs(process.argv.slice(2)));
}
