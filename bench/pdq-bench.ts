/**
 * PDQ throughput on one core: decode + hash and hash alone, on the 4000×3000 JPEG of the
 * synthetic vectors and a 1024×1024 JPEG made from it (the synthetic set has no 1024² JPEG).
 * Reference figures on this machine (C++ pdq-photo-hasher, /work/shared/vectors/pdq/README.md):
 * hash step 3.9 ms at 512×512; with in-process libjpeg ~9.6 ms per repository image and
 * 51-72 ms per 4000×3000 JPEG.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodeImage } from '../src/image/decode.js';
import { hammingDistance, pdqHash } from '../src/pdq/index.js';
import { fmt, summarise, timeSamples } from './stats.js';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/pdq/synthetic/', import.meta.url));

function line(label: string, samples: number[]): void {
  const s = summarise(samples);
  process.stdout.write(
    `${label.padEnd(44)} p50 ${fmt(s.p50).padStart(9)}  p95 ${fmt(s.p95).padStart(9)}  ${(1000 / s.p50).toFixed(1).padStart(7)} /s\n`,
  );
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
    process.stdout.write(`PDQ, one core (sharp.concurrency(1)), node ${process.version}\n`);
    line('hash only, 512×512', await timeSamples(200, () => pdqHash(img512)));
    line('hash only, 1024×1024 (incl. 512 pre-resize)', await timeSamples(200, () => pdqHash(imgMid)));
    line('hash only, 4000×3000 (incl. 512 pre-resize)', await timeSamples(100, () => pdqHash(imgBig)));
    line('decode only, 1024×1024 JPEG', await timeSamples(60, () => decodeImage(mid)));
    line('decode + hash, 1024×1024 JPEG', await timeSamples(60, async () => pdqHash(await decodeImage(mid))));
    line('decode only, 4000×3000 JPEG', await timeSamples(20, () => decodeImage(big)));
    line('decode + hash, 4000×3000 JPEG', await timeSamples(20, async () => pdqHash(await decodeImage(big))));

    // Not used by Perisai: libvips' own nearest-neighbour resize, which lets the JPEG decoder
    // shrink on load (DCT scaling). Faster, but the pixels are no longer the reference's.
    const exact = pdqHash(imgBig).hash;
    const fast = async (): Promise<string> => {
      const { data, info } = await sharp(big)
        .resize(512, 512, { fit: 'fill', kernel: 'nearest' })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return pdqHash({ width: info.width, height: info.height, rgb: data }).hash;
    };
    line('shrink-on-load decode + hash, 4000×3000 (not used)', await timeSamples(20, fast));
    process.stdout.write(`  shrink-on-load hash is ${hammingDistance(await fast(), exact)} bits from the exact path\n`);
    const fastMid = async (): Promise<string> => {
      const { data, info } = await sharp(mid).resize(512, 512, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer({ resolveWithObject: true });
      return pdqHash({ width: info.width, height: info.height, rgb: data }).hash;
    };
    process.stdout.write(`  (1024×1024: ${hammingDistance(await fastMid(), pdqHash(imgMid).hash)} bits)\n`);
    process.stdout.write('Reference C++ here: hash 3.9 ms (512²); decode+hash ~9.6 ms/image, 51-72 ms for 4000×3000.\n');
  } finally {
    sharp.concurrency(previous);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runPdqBench();
}
