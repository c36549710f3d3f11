/**
 * PDQ throughput on one core: the hash step alone (pixels → hash) per image at 512×512 and at
 * the large sizes where the 512 nearest-neighbour grid applies, then decode + hash, on the
 * synthetic vectors' 4000×3000 JPEG and sizes made from it.
 * The reference's hash step is what its `benchmark-photo-hasher` reports as "hashing" (resize,
 * luma, filter, DCT, median; the decode is timed apart); figures in docs/pdq.md.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

import { decodeImage } from '../src/image/decode.js';
import { hammingDistance, pdqHash, type PdqInput } from '../src/pdq/index.js';
import { fmt, summarise, timeSamples } from './stats.js';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/pdq/synthetic/', import.meta.url));

function line(label: string, samples: number[]): void {
  const s = summarise(samples);
  process.stdout.write(`${label.padEnd(44)} p50 ${fmt(s.p50).padStart(9)}  p95 ${fmt(s.p95).padStart(9)}  ${(1000 / s.p50).toFixed(1).padStart(7)} /s\n`);
}

export async function runPdqBench(): Promise<void> {
  const previous = sharp.concurrency();
  sharp.concurrency(1); // one libvips worker thread: figures per core
  try {
    const big = readFileSync(FIXTURES + '05-plasma-4000x3000.jpg');
    const mid = await sharp(big).resize(1024, 1024, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
    const png512 = readFileSync(FIXTURES + '02-plasma-512x512.png');
    const img512 = await decodeImage(png512);
    const imgMid = await decodeImage(mid);
    const imgBig = await decodeImage(big);
    const sized = async (w: number, h: number) => decodeImage(await sharp(big).resize(w, h, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer());
    process.stdout.write(`PDQ, one core (sharp.concurrency(1)), node ${process.version}\n`);
    process.stdout.write('hash step per image (pixels → hash; larger sides include the 512 pre-resize):\n');
    const hashStep: Array<[string, PdqInput, number]> = [
      ['512×512', img512, 300],
      ['640×480', await sized(640, 480), 300],
      ['1024×1024', imgMid, 300],
      ['1920×1080', await sized(1920, 1080), 200],
      ['2048×1536', await sized(2048, 1536), 200],
      ['4000×3000', imgBig, 200],
    ];
    for (const [label, img, n] of hashStep) line(`  hash step, ${label}`, await timeSamples(n, () => pdqHash(img), 20));
    line('decode only, 1024×1024 JPEG', await timeSamples(60, () => decodeImage(mid)));
    line('decode + hash, 1024×1024 JPEG', await timeSamples(60, async () => pdqHash(await decodeImage(mid))));
    line('decode only, 4000×3000 JPEG', await timeSamples(20, () => decodeImage(big)));
    line('decode + hash, 4000×3000 JPEG', await timeSamples(20, async () => pdqHash(await decodeImage(big))));

    // Not used by Perisai: libvips' own nearest-neighbour resize, which lets the JPEG decoder
    // shrink on load (DCT scaling). Faster, but the pixels are no longer the reference's.
    const exact = pdqHash(imgBig).hash;
    const fast = async (): Promise<string> => {
      const { data, info } = await sharp(big).resize(512, 512, { fit: 'fill', kernel: 'nearest' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return pdqHash({ width: info.width, height: info.height, rgb: data }).hash;
    };
    line('shrink-on-load decode + hash, 4000×3000 (not used)', await timeSamples(20, fast));
    process.stdout.write(`  shrink-on-load hash is ${hammingDistance(await fast(), exact)} bits from the exact path\n`);
    const fastMid = async (): Promise<string> => {
      const { data, info } = await sharp(mid).resize(512, 512, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer({ resolveWithObject: true });
      return pdqHash({ width: info.width, height: info.height, rgb: data }).hash;
    };
    process.stdout.write(`  (1024×1024: ${hammingDistance(await fastMid(), pdqHash(imgMid).hash)} bits)\n`);
    process.stdout.write('Reference C++ figures on this machine and the whole-command comparison: docs/pdq.md, Speed.\n');
  } finally {
    sharp.concurrency(previous);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runPdqBench();
}
