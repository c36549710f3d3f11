/**
 * What statements of reasons cost: building and validating one (pure), recording refused
 * requests through the decision recorder with and without their statements (the group-committed
 * transaction screening waits on), and exporting them in bulk batches.
 *
 * `npm run bench -- sor [--n 20000] [--pg URL]`
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { createAppContext } from '../src/app-context.js';
import { readConfig } from '../src/config.js';
import { systemClock } from '../src/domain/clock.js';
import type { DecisionRecord } from '../src/domain/decision-record.js';
import { buildStatement, type StatementFacts } from '../src/domain/statement-of-reasons.js';
import { DecisionRecorder } from '../src/services/decision-recorder.js';
import { screenRequestSchema } from '../src/services/screen-request.js';
import { decisionStatement, StatementsService } from '../src/services/sor.js';
import { UnitOfWork } from '../src/services/unit-of-work.js';
import { onEachStore } from './each-store.js';
import { fmt, summarise, timeSamples } from './stats.js';

export function parseSorArgs(args: string[]): { n: number; pg: string | undefined } {
  const out = { n: 20_000, pg: process.env.PERISAI_TEST_PG_URL };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--n') out.n = Number(args[++i]);
    else if (args[i] === '--pg') out.pg = args[++i];
  }
  if (!Number.isInteger(out.n) || out.n < 1) throw new Error('--n must be a positive integer');
  return out;
}

export async function runSorBench(args: { n: number; pg: string | undefined }): Promise<void> {
  await onEachStore(args.pg, async (label, store, location) => {
    // One real refused request, from the real pipeline, cloned with fresh ids.
    const ctx = await createAppContext(readConfig({}, { db: location, imageDetectors: false }), { store });
    const blocked = await ctx.screening.screenRequest(
      screenRequestSchema.parse({ prompt: 'put her in a bikini', subject: 'adult', jurisdiction: 'DE' }),
      'bench',
    );
    if (blocked.decision !== 'block') throw new Error(`the bench prompt was not blocked (${blocked.decision})`);
    const factsOf = (r: DecisionRecord): StatementFacts => ({
      id: `sor_${randomUUID().replaceAll('-', '')}`,
      restriction: { kind: 'generation_refused' },
      category: 'sexual_deepfake',
      decisionCategories: r.categories,
      source: 'own_initiative',
      automatedDetection: true,
      automatedDecision: 'fully',
      synthetic: true,
      contentAt: r.createdAt,
      appliedAt: r.createdAt,
      policy: { version: r.policyVersion, rules: r.reasons.map((x) => x.rule) },
    });
    const clone = (): DecisionRecord => ({ ...blocked, id: `dec_${randomUUID().replaceAll('-', '')}`, actions: [] });

    if (label === 'SQLite') {
      const build = summarise(await timeSamples(args.n, () => buildStatement(factsOf(clone())), 200));
      console.log(`build + validate one statement: p50 ${fmt(build.p50)}, p99 ${fmt(build.p99)}, mean ${fmt(build.mean)}`);
      const cached = summarise(await timeSamples(args.n, () => decisionStatement(clone()), 200));
      console.log(
        `a refused request's statement (validated once per kind of refusal): p50 ${fmt(cached.p50)}, p99 ${fmt(cached.p99)}, mean ${fmt(cached.mean)}`,
      );
    }

    const uow = new UnitOfWork(store, systemClock);
    const record = async (recorder: DecisionRecorder, n: number): Promise<number> => {
      const start = performance.now();
      // 256 in flight, as many concurrent screenings would be: each flush commits a group.
      for (let i = 0; i < n; i += 256) await Promise.all(Array.from({ length: Math.min(256, n - i) }, () => recorder.record(clone(), 'bench')));
      return n / ((performance.now() - start) / 1000);
    };
    // Interleaved, so the growing tables and audit chain weigh on both alike.
    const rates = { without: [] as number[], with: [] as number[] };
    for (let round = 0; round < 4; round++) {
      rates.without.push(await record(new DecisionRecorder(uow, 256, () => undefined), args.n / 4));
      rates.with.push(await record(new DecisionRecorder(uow), args.n / 4));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [without, withStatements] = [mean(rates.without), mean(rates.with)];
    console.log(
      `${label}: ${args.n} refused requests recorded, 4 interleaved rounds: ${without.toFixed(0)}/s without statements, ${withStatements.toFixed(0)}/s with (${((1 - withStatements / without) * 100).toFixed(1)}% fewer)`,
    );

    const statements = new StatementsService(uow);
    const start = performance.now();
    let exported = 0;
    for await (const batch of statements.batches({ from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' })) exported += batch.statements.length;
    const seconds = (performance.now() - start) / 1000;
    console.log(`${label}: exported ${exported} statements in ${Math.ceil(exported / 100)} batches: ${(exported / seconds).toFixed(0)}/s`);
    await ctx.close();
    await store.close();
  });
}
