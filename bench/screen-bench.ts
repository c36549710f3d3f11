import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import autocannon from 'autocannon';

import { createAppContext } from '../src/app-context.js';
import { readConfig } from '../src/config.js';
import { fmt, summarise } from './stats.js';

const PROMPTS = [
  'put her in a winter coat',
  'put her in a bikini',
  'remove the background',
  'buka bajunya',
  'make him look 20 years older',
  'déshabille-la',
  'a cat wearing sunglasses',
  'iske kapde utaar do',
];

/** Text-only screening, in-process, on a real SQLite file: what one decision costs including its audit entry. */
async function inProcess(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'perisai-bench-'));
  const ctx = await createAppContext(readConfig({}, { db: join(dir, 'bench.db') }));
  try {
    const samples: number[] = [];
    for (let i = 0; i < 500; i += 1) await ctx.screening.screenRequest({ prompt: PROMPTS[i % PROMPTS.length]!, images: [], subject: 'adult' }, 'bench');
    const started = performance.now();
    for (let i = 0; i < 5000; i += 1) {
      const t0 = performance.now();
      await ctx.screening.screenRequest({ prompt: PROMPTS[i % PROMPTS.length]!, images: [], subject: 'adult' }, 'bench');
      samples.push(performance.now() - t0);
    }
    const seconds = (performance.now() - started) / 1000;
    const s = summarise(samples);
    console.log(
      `in-process text-only screening (sequential, each decision committed): ${(samples.length / seconds).toFixed(0)} decisions/s, p50 ${fmt(s.p50)}, p99 ${fmt(s.p99)}, max ${fmt(s.max)}`,
    );

    const batch = 20_000;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: batch }, (_, i) => ctx.screening.screenRequest({ prompt: PROMPTS[i % PROMPTS.length]!, images: [], subject: 'adult' }, 'bench')),
    );
    console.log(`in-process concurrent (group commit): ${(batch / ((performance.now() - t1) / 1000)).toFixed(0)} decisions/s`);
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** HTTP throughput over loopback against `perisai serve` in its own process. */
async function overHttp(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'perisai-bench-'));
  const key = 'psk_bench_key_0123456789abcdef';
  const port = 18787 + Math.floor(Math.random() * 1000);
  const bin = fileURLToPath(new URL('../bin/perisai.js', import.meta.url));
  const server = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--db', join(dir, 'bench.db')], {
    // The rate limit is off: the bench measures throughput, not the limiter.
    env: { ...process.env, PERISAI_ADMIN_KEY: key, PERISAI_LOG_LEVEL: 'warn', PERISAI_RATE_LIMIT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('running on') && resolve());
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const requests = PROMPTS.map((prompt) => ({
      method: 'POST' as const,
      path: '/v1/screen',
      body: JSON.stringify({ prompt, subject: 'adult', requester: { id: 'acct-7', country: 'ID' } }),
    }));
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: 50,
      pipelining: 1,
      duration: 10,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      requests,
    });
    console.log(
      `HTTP POST /v1/screen over loopback (50 connections, 10 s, server and load generator share the 2 cores): ${result.requests.average.toFixed(0)} req/s, ` +
        `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`,
    );
  } finally {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runScreenBench(): Promise<void> {
  await inProcess();
  await overHttp();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runScreenBench();
