/**
 * Marking an allowed output: the visible label, the C2PA signature, both, and verification, on a
 * synthetic 1024×1024 PNG and JPEG (a gradient with noise, so it compresses like a photo rather
 * than like a flat colour). The signer is the development one, made fresh in memory.
 */
import sharp from 'sharp';

import { createDevelopmentSigner, parseCredentials } from '../src/provenance/credentials.js';
import { C2paProvenanceMarker, fixedSigner } from '../src/provenance/marker.js';
import { verifyProvenance } from '../src/provenance/verify.js';
import { fmt, summarise, timeSamples } from './stats.js';

const SIZE = 1024;

async function syntheticImage(format: 'png' | 'jpeg'): Promise<Uint8Array> {
  const raw = Buffer.alloc(SIZE * SIZE * 3);
  let seed = 0x9e3779b9;
  for (let i = 0; i < raw.length; i += 3) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    const x = (i / 3) % SIZE;
    const y = Math.floor(i / 3 / SIZE);
    const noise = (seed >>> 24) % 24;
    raw[i] = (x >> 2) + noise;
    raw[i + 1] = (y >> 2) + noise;
    raw[i + 2] = 96 + noise;
  }
  const image = sharp(raw, { raw: { width: SIZE, height: SIZE, channels: 3 } });
  return new Uint8Array(await (format === 'png' ? image.png() : image.jpeg({ quality: 90 })).toBuffer());
}

function line(label: string, samples: number[]): void {
  const s = summarise(samples);
  process.stdout.write(`${label.padEnd(36)} p50 ${fmt(s.p50).padStart(10)}  p99 ${fmt(s.p99).padStart(10)}  (n=${samples.length})\n`);
}

export async function runProvenanceBench(): Promise<void> {
  const pem = await createDevelopmentSigner(new Date());
  const marker = new C2paProvenanceMarker(fixedSigner(parseCredentials(pem, pem, { certificate: 'bench', key: 'bench' })), {
    name: 'Perisai',
    version: 'bench',
  });
  const provenance = {
    generator: 'bench-model',
    decisionId: 'dec_bench_out',
    requestDecisionId: 'dec_bench_req',
    policyVersion: 'perisai-default@bench',
    visibleLabel: true,
  };
  process.stdout.write(`C2PA marking of a ${SIZE}×${SIZE} output, node ${process.version}, sharp concurrency ${sharp.concurrency()}\n`);
  for (const format of ['png', 'jpeg'] as const) {
    const image = await syntheticImage(format);
    const signed = (await marker.sign(image, provenance)).bytes;
    process.stdout.write(
      `${format.toUpperCase()}: ${(image.length / 1024).toFixed(0)} KiB, +${((signed.length - image.length) / 1024).toFixed(1)} KiB with the manifest\n`,
    );
    const n = 30;
    line(`  label`, await timeSamples(n, () => marker.label(image, provenance)));
    line(`  sign`, await timeSamples(n, () => marker.sign(image, provenance)));
    line(`  label + sign`, await timeSamples(n, async () => marker.sign(await marker.label(image, provenance), provenance)));
    line(`  verify`, await timeSamples(n, () => verifyProvenance(signed)));
  }
}
