import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { createAppContext } from '../src/app-context.js';
import { readConfig } from '../src/config.js';
import type { ImageAnalyser } from '../src/services/ports.js';
import { insertProtectedHashes } from '../src/store/repositories/consent.js';
import { openStore } from '../src/store/store.js';
import { fmt, summarise } from './stats.js';

const BASE = 'f'.repeat(16) + '0'.repeat(16) + 'a5'.repeat(16);

/** `n` distinct PDQ hashes within 12 bits of BASE: each flips a distinct set of its lowest 20 bits. */
function nearHashes(n: number): string[] {
  const out: string[] = [];
  for (let i = 1; out.length < n; i += 1) {
    const bytes = Buffer.from(BASE, 'hex');
    // i's bits pick which of the lowest 20 bits to flip; keep those with at most 12 set.
    let bits = 0;
    for (let b = 0; b < 20; b += 1) if (i & (1 << b)) bits += 1;
    if (bits > 12) continue;
    for (let b = 0; b < 20; b += 1) if (i & (1 << b)) bytes[31 - (b >> 3)]! ^= 1 << (b & 7);
    out.push(bytes.toString('hex'));
  }
  return out;
}

/**
 * Screening one image that lies near `n` protected photos (Perisai issue 10: 33,000 made it fail
 * with "too many SQL variables"). `--n` sets the count, `--db` a postgres:// URL (default: a
 * fresh SQLite file).
 */
export async function runProtectedBench(args: string[]): Promise<void> {
  const n = Number(args[args.indexOf('--n') + 1] ?? 33_000) || 33_000;
  const dbArg = args.includes('--db') ? args[args.indexOf('--db') + 1] : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'perisai-bench-'));
  const location = dbArg ?? join(dir, 'bench.db');
  const schema = dbArg ? `bench_${process.pid}` : undefined;
  const store = await openStore(location, schema ? { schema } : {});
  const image = Buffer.from('an image near many protected photos');
  const sha256 = createHash('sha256').update(image).digest('hex');
  const analyser: ImageAnalyser = {
    detectors: ['bench@1'],
    analyse: async (bytes) => ({
      summary: {
        sha256,
        bytes: bytes.byteLength,
        format: 'png',
        width: 64,
        height: 64,
        pdq: { hash: BASE, quality: 100 },
        faces: { count: 0, ages: [] },
        nudity: null,
      },
      observation: { faces: { count: 0, ages: [] }, nudity: 0 },
      failures: [],
    }),
  };
  try {
    const hashes = nearHashes(n);
    const t0 = performance.now();
    await store.transaction(async (trx) => {
      // One account per 50 photos, so the consent lookup is caller-sized too.
      for (let i = 0; i < hashes.length; i += 50) {
        await insertProtectedHashes(
          trx,
          `acct-${i / 50}`,
          hashes.slice(i, i + 50).map((pdq) => ({ pdq, quality: 100, sha256: null })),
          '2026-12-04T00:00:00.000Z',
        );
      }
    });
    console.log(`inserted ${n} protected hashes near one image in ${fmt(performance.now() - t0)} (${store.dialect})`);
    const ctx = await createAppContext(readConfig({}, { db: location, imageDetectors: false }), { store, imageAnalyser: analyser });
    try {
      const screen = () =>
        ctx.screening.screenRequest(
          { prompt: 'make it brighter', subject: 'adult', images: [{ data: new Uint8Array(image) }], requester: { id: 'bench' } },
          'bench',
        );
      // A matcher that throws does not fail the call: the decision fails closed and names the failure.
      const first = await screen();
      const failures = first.signals.failures.filter((f) => f.detector === 'consent');
      if (failures.length > 0) {
        console.log(
          `screening an image near ${n} protected photos (${store.dialect}): consent matcher FAILED (${failures[0]!.message}), decision ${first.decision}`,
        );
        return;
      }
      const decision = first.decision;
      const samples: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        const t = performance.now();
        await screen();
        samples.push(performance.now() - t);
      }
      const s = summarise(samples);
      console.log(`screening an image near ${n} protected photos (${store.dialect}): decision ${decision}, p50 ${fmt(s.p50)}, max ${fmt(s.max)} over 10`);
    } finally {
      await ctx.close();
    }
  } finally {
    if (schema) await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runProtectedBench(process.argv.slice(2));
