/**
 * The reviewer console's costs, on each store: a sign-in (the scrypt check at the default
 * parameters, N = 2^17, r = 8, p = 1), a wrong password and an unknown email (which must cost
 * the same), a session look-up (every console request makes one), and the queue page over HTTP
 * with 50 cases on it.
 *
 * `npm run bench -- console [--pg URL]`
 */
import { onEachStore, withBenchServer } from './each-store.js';
import { fmt, summarise, timeSamples } from './stats.js';

const ADMIN = 'psk_console-bench-Qx7vN2mLw9Tn4Yb6Kc1Hd8Fs';

function line(label: string, samples: number[]): void {
  const s = summarise(samples);
  process.stdout.write(`  ${label.padEnd(44)} p50 ${fmt(s.p50).padStart(10)}  p99 ${fmt(s.p99).padStart(10)}  (n=${samples.length})\n`);
}

export async function runConsoleBench(args: string[]): Promise<void> {
  const at = args.indexOf('--pg');
  const pgUrl = at >= 0 ? args[at + 1] : process.env.PERISAI_TEST_PG_URL;
  process.stdout.write(`Console sign-in and pages, node ${process.version}\n`);
  await onEachStore(pgUrl, async (label, store, location) => {
    process.stdout.write(`${label}\n`);
    await withBenchServer(store, location, ADMIN, async ({ base, ctx }) => {
      const password = 'a bench passphrase of some length';
      await ctx.consoleUsers.create('bench@example.org', 'reviewer', password, 'bench');
      const from = { address: '127.0.0.1' };
      line('sign-in (scrypt check + session)', await timeSamples(10, () => ctx.consoleUsers.login('bench@example.org', password, from), 1));
      // A success in between keeps the account below the lock-out.
      const wrong = await timeSamples(4, () => ctx.consoleUsers.login('bench@example.org', 'not it', from).catch(() => undefined), 0);
      await ctx.consoleUsers.login('bench@example.org', password, from);
      wrong.push(...(await timeSamples(4, () => ctx.consoleUsers.login('bench@example.org', 'not it', from).catch(() => undefined), 0)));
      line('wrong password', wrong);
      line('unknown email', await timeSamples(8, () => ctx.consoleUsers.login('nobody@example.org', password, from).catch(() => undefined), 1));
      const signed = await ctx.consoleUsers.login('bench@example.org', password, from);
      line('session look-up', await timeSamples(2000, () => ctx.consoleUsers.session(signed.token), 50));
      for (let i = 0; i < 50; i++) {
        await ctx.reports.submit(
          { reporter: { type: 'user' }, jurisdiction: 'DE', category: 'other', content: { id: `bench-${i}` }, explanation: 'bench' },
          { authenticated: false, actor: 'bench' },
        );
      }
      const cookie = `perisai_session=${signed.token}`;
      line(
        'GET /console/cases (50 cases)',
        await timeSamples(200, async () => {
          const res = await fetch(`${base}/console/cases`, { headers: { cookie } });
          if (res.status !== 200) throw new Error(`queue answered ${res.status}`);
          await res.arrayBuffer();
        }),
      );
    });
  });
}
