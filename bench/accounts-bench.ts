/**
 * The suspension look-up every screened request makes (AccountStandingMatcher): seeds N
 * suspensions over N/2 accounts straight through Kysely (half ended or expired, so the index
 * holds dead rows too) and times the matcher for a suspended account, a reinstated one and an
 * account never seen, on SQLite and PostgreSQL. It justifies reading the store per request
 * rather than keeping an index in memory: a suspension applies on every instance at once.
 *
 * `npm run bench -- accounts [--n 200000] [--requests 5000] [--pg URL]`
 */
import { systemClock } from '../src/domain/clock.js';
import { AccountStandingMatcher } from '../src/services/accounts.js';
import type { Store } from '../src/store/store.js';
import { onEachStore } from './each-store.js';
import { fmt, summarise, timeSamples } from './stats.js';

export interface AccountsBenchArgs {
  n: number;
  requests: number;
  pg: string | undefined;
}

export function parseAccountsArgs(args: string[]): AccountsBenchArgs {
  const out: AccountsBenchArgs = { n: 200_000, requests: 5000, pg: process.env.PERISAI_TEST_PG_URL };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--n') out.n = Number(args[++i]);
    else if (args[i] === '--requests') out.requests = Number(args[++i]);
    else if (args[i] === '--pg') out.pg = args[++i];
  }
  return out;
}

async function seed(store: Store, n: number): Promise<void> {
  const now = Date.now();
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `sus_${String(i).padStart(32, '0')}`,
    account: `acct-${i % Math.max(1, Math.floor(n / 2))}`,
    started_at: new Date(now - 86_400_000).toISOString(),
    // Every fourth row indefinite, every other one ended, the rest expired or running.
    until: i % 4 === 0 ? null : new Date(now + (i % 3 === 0 ? -1 : 1) * 3_600_000).toISOString(),
    automatic: i % 2,
    threshold: null,
    strike_ids: '[]',
    reason: 'bench',
    actor: 'bench',
    policy_version: null,
    ended_at: i % 2 === 1 ? new Date(now - 60_000).toISOString() : null,
    ended_by: i % 2 === 1 ? 'bench' : null,
    ended_reason: i % 2 === 1 ? 'bench' : null,
  }));
  for (let i = 0; i < rows.length; i += 500)
    await store.db
      .insertInto('account_suspensions')
      .values(rows.slice(i, i + 500))
      .execute();
}

export async function runAccountsBench(args: AccountsBenchArgs): Promise<void> {
  await onEachStore(args.pg, async (label, store) => {
    try {
      await seed(store, args.n);
      const matcher = new AccountStandingMatcher(store.db, systemClock);
      const ask = (account: string) => () => matcher.match({ stage: 'request', requesterId: account, images: [] });
      const suspended = (await ask('acct-0')()).accountSuspended?.length ?? 0;
      console.log(
        `${label}: ${args.n.toLocaleString('en')} suspensions over ${Math.floor(args.n / 2).toLocaleString('en')} accounts (acct-0 suspended: ${suspended > 0})`,
      );
      for (const [what, account] of [
        ['suspended account', 'acct-0'],
        ['reinstated account', 'acct-1'],
        ['account never seen', 'acct-unknown'],
      ] as const) {
        const s = summarise(await timeSamples(args.requests, ask(account), 50));
        console.log(`  ${what.padEnd(20)} p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}`);
      }
    } finally {
      await store.close();
    }
  });
}
