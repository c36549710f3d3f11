/**
 * `npm run bench -- guard [--n 200] [--n-models 60] [--pg URL]`: the latency the guarded image
 * API adds over calling the upstream directly. One loopback upstream (test/helpers) answers
 * with a 1024×1024 synthetic PNG; the official openai client calls it directly and through
 * Perisai, alternating, so both see the same machine state. Cases: a text-only generation
 * answered as PNG (as large as a model's PNG) and as JPEG, and an edit with one 1024×1024 image. Two analysers: the fake one (the guard's own work:
 * the extra HTTP hop, multipart, text screening, two decisions and the ledger row committed,
 * base64 both ways) and the real image models (what a deployment runs: decode, PDQ, nudity
 * and faces on every input and output image). Target: ≤ 15 ms p50 added for text-only.
 * Signing is real: each returned image gets its C2PA manifest, with a development certificate.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';

import type { ContextOverrides } from '../src/app-context.js';
import { developmentCredentials } from '../test/helpers/c2pa.js';
import { fakeImageAnalyser } from '../test/helpers/fake-image-analyser.js';
import { startUpstreamImages, type UpstreamImageServer } from '../test/helpers/upstream-images.js';
import { onEachStore, withBenchServer } from './each-store.js';
import { fmt, summarise } from './stats.js';

const KEY = 'psk_guard_bench_key_0123456789abcdef';
const SIDE = 1024;

export interface GuardBenchArgs {
  n: number;
  nModels: number;
  pg: string | undefined;
}

export function parseGuardArgs(args: string[]): GuardBenchArgs {
  const out: GuardBenchArgs = { n: 200, nModels: 60, pg: process.env.PERISAI_TEST_PG_URL };
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '--n') out.n = Number(args[++i]);
    else if (args[i] === '--n-models') out.nModels = Number(args[++i]);
    else if (args[i] === '--pg') out.pg = args[++i];
  }
  return out;
}

/** A synthetic 1024×1024 "photo": gradient with shapes, no person. */
function referenceImage(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIDE}" height="${SIDE}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#3b6"/><stop offset="1" stop-color="#36b"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="300" cy="300" r="180" fill="#fc3"/><rect x="560" y="520" width="320" height="260" fill="#a33"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

type Call = (client: OpenAI, i: number) => Promise<unknown>;

/** Alternates a direct call and a guarded one `n` times after a warm-up; returns both sample sets. */
async function paired(direct: OpenAI, guarded: OpenAI, call: Call, n: number): Promise<{ direct: number[]; guarded: number[] }> {
  for (let i = 0; i < 5; i += 1) {
    await call(direct, i);
    await call(guarded, i);
  }
  const out = { direct: [] as number[], guarded: [] as number[] };
  for (let i = 0; i < n; i += 1) {
    // Alternate which goes first, so neither always meets a warmer cache.
    const order: Array<[OpenAI, number[]]> =
      i % 2 === 0
        ? [
            [direct, out.direct],
            [guarded, out.guarded],
          ]
        : [
            [guarded, out.guarded],
            [direct, out.direct],
          ];
    for (const [client, samples] of order) {
      const started = performance.now();
      await call(client, i);
      samples.push(performance.now() - started);
    }
  }
  return out;
}

/** p50/p99 of each side, and of the per-pair difference (what one request pays for the guard). */
function report(label: string, samples: { direct: number[]; guarded: number[] }): void {
  const d = summarise(samples.direct);
  const g = summarise(samples.guarded);
  const added = summarise(samples.guarded.map((ms, i) => ms - samples.direct[i]!));
  console.log(
    `${label.padEnd(50)} direct p50 ${fmt(d.p50).padStart(9)} p99 ${fmt(d.p99).padStart(9)} | guarded p50 ${fmt(g.p50).padStart(9)} p99 ${fmt(g.p99).padStart(9)} | added (paired) p50 ${fmt(added.p50).padStart(9)} p99 ${fmt(added.p99).padStart(9)}`,
  );
}

async function runOne(upstream: UpstreamImageServer, label: string, reference: Buffer, n: number, models: boolean, pg: string | undefined): Promise<void> {
  await onEachStore(pg, async (storeLabel, store, location) => {
    const overrides: ContextOverrides = { provenanceCredentials: await developmentCredentials(), ...(models ? {} : { imageAnalyser: fakeImageAnalyser() }) };
    await withBenchServer(
      store,
      location,
      KEY,
      async ({ base, ctx }) => {
        if (models) ctx.warmUpImageModels();
        const direct = new OpenAI({ apiKey: 'unused', baseURL: upstream.url, maxRetries: 0, timeout: 120_000 });
        const guarded = new OpenAI({ apiKey: KEY, baseURL: `${base}/v1`, maxRetries: 0, timeout: 120_000 });
        const prompts = ['a lighthouse at dusk, watercolour', 'a bowl of lemons on a blue table', 'a paper boat on a pond', 'a city skyline at night'];
        // Each prompt's image is made once by the upstream and cached, so the upstream's own cost is the same both ways.
        for (const prompt of prompts) await Promise.all([upstream.imageFor(prompt, 0), upstream.imageFor(prompt, 0, 'jpeg')]);
        const generate: Call = (client, i) => client.images.generate({ prompt: prompts[i % prompts.length]!, model: 'gpt-image-1', size: `${SIDE}x${SIDE}` });
        const edit: Call = async (client, i) =>
          client.images.edit(
            { image: await toFile(reference, 'photo.png', { type: 'image/png' }), prompt: prompts[i % prompts.length]!, model: 'gpt-image-1' },
            { headers: { 'X-Perisai-Subject': 'none' } },
          );
        const generateJpeg: Call = (client, i) =>
          client.images.generate({ prompt: prompts[i % prompts.length]!, model: 'gpt-image-1', size: `${SIDE}x${SIDE}`, output_format: 'jpeg' });
        report(`${storeLabel}, ${label}, text-only generation, PNG`, await paired(direct, guarded, generate, n));
        report(`${storeLabel}, ${label}, text-only generation, JPEG`, await paired(direct, guarded, generateJpeg, n));
        report(`${storeLabel}, ${label}, edit with one ${SIDE}×${SIDE} image`, await paired(direct, guarded, edit, n));
      },
      { config: { upstreamUrl: upstream.url, imageDetectors: models }, overrides },
    );
  });
}

export async function runGuardBench(args: GuardBenchArgs = parseGuardArgs([])): Promise<void> {
  const upstream = await startUpstreamImages({ size: SIDE });
  try {
    const reference = await referenceImage();
    const png = await upstream.imageFor('a lighthouse at dusk, watercolour', 0);
    const jpeg = await upstream.imageFor('a lighthouse at dusk, watercolour', 0, 'jpeg');
    console.log(
      `upstream: loopback, answers a ${SIDE}×${SIDE} PNG (${(png.byteLength / 1024 / 1024).toFixed(1)} MiB) or JPEG (${(jpeg.byteLength / 1024).toFixed(0)} KiB); reference image ${(reference.byteLength / 1024).toFixed(0)} KiB (PNG); edits answer PNG; every returned image labelled when asked and signed (C2PA, development certificate)`,
    );
    await runOne(upstream, 'guard only (fake analyser)', reference, args.n, false, args.pg);
    await runOne(upstream, 'with the image models', reference, args.nModels, true, args.pg);
  } finally {
    await upstream.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runGuardBench(parseGuardArgs(process.argv.slice(2)));
