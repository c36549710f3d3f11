import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import type { Store } from '../src/store/store.js';
import { onEachStore, withBenchServer } from './each-store.js';

const KEY = 'psk_bench_key_0123456789abcdef_bank';

export interface BankImportArgs {
  /** Lines in the imported list. */
  n: number;
  /** A PostgreSQL URL to run on as well (default PERISAI_TEST_PG_URL). */
  pg: string | undefined;
}

export function parseBankImportArgs(args: string[]): BankImportArgs {
  const out: BankImportArgs = { n: 200_000, pg: process.env.PERISAI_TEST_PG_URL };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--n') out.n = Number(args[++i]);
    else if (args[i] === '--pg') out.pg = args[++i];
  }
  if (!Number.isInteger(out.n) || out.n < 1) throw new Error('--n must be a positive integer');
  return out;
}

/** `pdq_hex,quality,label` lines, as `perisai hash` prints them: random hashes, so none repeats. */
function hashList(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`${randomBytes(32).toString('hex')},100,bench-${i}.jpg`);
  return `${lines.join('\n')}\n`;
}

/**
 * One import of `body` over loopback HTTP to a server started in this process (so the event-loop
 * monitor sees the server's loop), while /healthz is polled back to back. The client's share of
 * the loop is sending one body and the polls: small next to what the server does.
 */
async function importOnce(label: string, store: Store, location: string, body: string, lines: number): Promise<void> {
  await withBenchServer(store, location, KEY, async ({ base, ctx }) => {
    const headers = { authorization: `Bearer ${KEY}` };
    const created = await fetch(`${base}/v1/banks`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', purpose: 'test', min_quality: 50 }),
    });
    if (created.status !== 201) throw new Error(`creating the bank answered ${created.status}: ${await created.text()}`);

    const loop = monitorEventLoopDelay({ resolution: 1 });
    const health: number[] = [];
    let done = false;
    const poll = (async () => {
      while (!done) {
        const t0 = performance.now();
        const res = await fetch(`${base}/healthz`);
        await res.arrayBuffer();
        health.push(performance.now() - t0);
      }
    })();
    loop.enable();
    const started = performance.now();
    const res = await fetch(`${base}/v1/banks/bench/hashes`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body });
    const answer = await res.text();
    const seconds = (performance.now() - started) / 1000;
    loop.disable();
    done = true;
    await poll;
    if (res.status !== 200) throw new Error(`the import answered ${res.status}: ${answer.slice(0, 500)}`);
    const { added } = JSON.parse(answer) as { added: number };
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    console.log(
      `${label}: ${lines.toLocaleString('en')} lines (${(body.length / 2 ** 20).toFixed(1)} MiB) imported (${added.toLocaleString('en')} added, index size ${ctx.indexes.sizes.bank.toLocaleString('en')}) in ${seconds.toFixed(2)} s; ` +
        `event-loop delay max ${ms(loop.max)} ms, p99 ${ms(loop.percentile(99))} ms; ` +
        `/healthz ${health.length} polls during it, max ${Math.max(...health).toFixed(1)} ms`,
    );
  });
}

export async function runBankImportBench(args: BankImportArgs = parseBankImportArgs([])): Promise<void> {
  const body = hashList(args.n);
  await onEachStore(args.pg, (label, store, location) => importOnce(label, store, location, body, args.n));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runBankImportBench(parseBankImportArgs(process.argv.slice(2)));
