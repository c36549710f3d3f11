/**
 * Image detector figures: model load time, per-image latency of the nudity and face models
 * on a 1024×1024 image, full reference-image screening (decode + PDQ + nudity + faces) with
 * a pool of 2 workers (p50/p95 one at a time, images/s with both cores busy), peak RSS, and
 * the nudity false-positive rate on the ThreatExchange benign photos when they are present
 * (read in place from /work/shared, never copied into the repository).
 * Target: full screening p50 ≤ 150 ms.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

import { decodeImage } from '../src/image/decode.js';
import type { DecodedImage } from '../src/image/decoded-image.js';
import { HumanFaceDetector } from '../src/image/detectors/face-detector.js';
import { NsfwDetector } from '../src/image/detectors/nsfw-detector.js';
import { initTfWasm } from '../src/image/detectors/tf-runtime.js';
import { createDetectorPool } from '../src/image/pool/detector-pool.js';
import { pdqHash } from '../src/pdq/index.js';
import { fmt, summarise, timeSamples } from './stats.js';

const SYNTHETIC = fileURLToPath(new URL('../test/fixtures/pdq/synthetic/', import.meta.url));
const SHARED = '/work/shared/vectors/pdq';
const BENIGN_DIR = process.env.PERISAI_BENIGN_DIR ?? join(SHARED, 'threatexchange/images');

function out(text: string): void {
  process.stdout.write(text + '\n');
}

function line(label: string, samples: number[]): void {
  const s = summarise(samples);
  out(`${label.padEnd(46)} p50 ${fmt(s.p50).padStart(9)}  p95 ${fmt(s.p95).padStart(9)}`);
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // KiB → MiB, whole process (all worker threads)
}

/** A 1024×1024 JPEG: the synthetic 4000×3000 plasma scaled, as in the PDQ bench. */
async function referenceJpeg(): Promise<{ bytes: Buffer; label: string }> {
  const candidates = [join(SYNTHETIC, '05-plasma-4000x3000.jpg'), join(SHARED, 'synthetic/05-plasma-4000x3000.jpg')];
  const src = candidates.find((p) => existsSync(p));
  if (!src) throw new Error('05-plasma-4000x3000.jpg not found in test fixtures or /work/shared');
  const bytes = await sharp(readFileSync(src)).resize(1024, 1024, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
  return { bytes, label: '1024×1024 JPEG (synthetic plasma)' };
}

function listImages(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) found.push(...listImages(p));
    else if (/\.(jpe?g|png|webp|gif|avif)$/i.test(name)) found.push(p);
  }
  return found.sort();
}

export async function runImageBench(): Promise<void> {
  const { bytes, label } = await referenceJpeg();
  const decoded = await decodeImage(bytes);

  // 1. Full reference-image screening through a pool of 2 workers.
  const pool = createDetectorPool({ size: 2, queueLimit: 64, timeoutMs: 30_000 });
  const t0 = performance.now();
  await pool.ready();
  out(`pool of 2: first worker ready after ${(performance.now() - t0).toFixed(0)} ms`);
  const screen = async (): Promise<void> => {
    const img = await decodeImage(bytes);
    pdqHash(img);
    const s = await pool.analyse(img, { transfer: true });
    if (s.failures.length > 0) throw new Error(`detector failure: ${JSON.stringify(s.failures)}`);
  };
  // Let the second worker finish loading before measuring.
  await Promise.all([screen(), screen(), screen(), screen()]);
  line('full screening, one at a time', await timeSamples(30, screen));
  const total = 40;
  const started = performance.now();
  let next = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next++ < total) {
        const t = performance.now();
        await screen();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  line('full screening, 4 in flight', latencies);
  out(`throughput: ${(total / seconds).toFixed(1)} images/s with 2 workers`);
  out(`peak RSS, 2 workers with all models + this thread: ${peakRssMb().toFixed(0)} MB`);
  await pool.close();

  // 2. Load time and per-model latency, in this thread.
  const rt = await initTfWasm();
  const nsfw = await NsfwDetector.create();
  const faces = await HumanFaceDetector.create();
  out(`node ${process.version}, tfjs wasm backend (single-threaded per worker), ${label}`);
  out(
    `model load: tfjs wasm init ${rt.initMs.toFixed(0)} ms, nsfwjs MobileNetV2 ${nsfw.loadMs.toFixed(0)} ms, human blazeface+facemesh+faceres ${faces.loadMs.toFixed(0)} ms (incl. warm-up)`,
  );
  out(`peak RSS so far (pool closed, models loaded in this thread too): ${peakRssMb().toFixed(0)} MB`);
  line('nudity (nsfwjs), 1024×1024', await timeSamples(20, () => nsfw.analyse(decoded)));
  line('faces (human), 1024×1024, no face', await timeSamples(20, () => faces.analyse(decoded)));
  line('decode + PDQ, 1024×1024 JPEG', await timeSamples(20, async () => pdqHash(await decodeImage(bytes))));

  // 3. Benign photos: nudity false-positive rate (reported, never asserted).
  if (existsSync(BENIGN_DIR)) {
    const files = listImages(BENIGN_DIR);
    let n = 0;
    let over05 = 0;
    let over07 = 0;
    let withFaces = 0;
    let maxScore = 0;
    let maxFile = '';
    for (const file of files) {
      let img: DecodedImage;
      try {
        img = await decodeImage(readFileSync(file));
      } catch {
        continue; // the set includes unusual colour modes; the decoder's own tests cover them
      }
      n++;
      const { nudity } = await nsfw.analyse(img);
      const { faces: f } = await faces.analyse(img);
      const score = nudity.porn + nudity.hentai;
      if (score >= 0.5) over05++;
      if (score >= 0.7) over07++;
      if (f.count > 0) withFaces++;
      if (score > maxScore) [maxScore, maxFile] = [score, file.slice(BENIGN_DIR.length + 1)];
    }
    out(
      `benign photos (${BENIGN_DIR}): ${n} decoded; porn+hentai ≥ 0.5: ${over05} (${((100 * over05) / n).toFixed(1)} %), ≥ 0.7: ${over07} (${((100 * over07) / n).toFixed(1)} %); max ${maxScore.toFixed(3)} (${maxFile}); images with a face: ${withFaces}`,
    );
  } else {
    out(`benign photos: ${BENIGN_DIR} absent, false-positive rate not measured`);
  }
  await nsfw.close();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runImageBench();
}
