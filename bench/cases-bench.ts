/**
 * The case queue at scale: seeds N cases straight through Kysely, starts the server in this
 * process on a loopback port and measures over real HTTP the queue listings (first page, each
 * filter, overdue, 200 pages deep by cursor, a cursor deep in the middle of the queue), one case,
 * and intake (reports/s through POST /v1/reports with a key, with content ids and with images).
 * Target (Perisai issue 12): every listing p99 ≤ 20 ms at 1,000,000 cases on SQLite and PostgreSQL.
 *
 * `npm run bench -- cases [--n 1000000] [--pdq 100000] [--reports 2000] [--image-reports 200] [--requests 300] [--pg URL]`
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { sql } from 'kysely';
import sharp from 'sharp';

import { CASE_STATES } from '../src/domain/cases.js';
import { REPORT_CATEGORIES } from '../src/domain/reports.js';
import type { CaseRow } from '../src/store/repositories/cases.js';
import type { Store } from '../src/store/store.js';
import { mulberry32 } from '../src/text/model/random.js';
import { onEachStore, withBenchServer } from './each-store.js';
import { fmt, summarise } from './stats.js';

const KEY = 'psk_bench_key_0123456789abcdef_case';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface CasesBenchArgs {
  /** Cases seeded. */
  n: number;
  /** How many of the seeded not-closed cases carry an image PDQ (what the intake's merge scans). */
  pdq: number;
  /** Reports with content ids sent through POST /v1/reports. */
  reports: number;
  /** Reports with an image sent through POST /v1/reports (each scans every open case's PDQ). */
  imageReports: number;
  /** Requests per listing scenario. */
  requests: number;
  /** A PostgreSQL URL to run on as well (default PERISAI_TEST_PG_URL). */
  pg: string | undefined;
}

export function parseCasesArgs(args: string[]): CasesBenchArgs {
  const out: CasesBenchArgs = { n: 1_000_000, pdq: 100_000, reports: 2000, imageReports: 200, requests: 300, pg: process.env.PERISAI_TEST_PG_URL };
  for (let i = 0; i < args.length; i++) {
    const value = () => Number(args[++i]);
    if (args[i] === '--n') out.n = value();
    else if (args[i] === '--pdq') out.pdq = value();
    else if (args[i] === '--reports') out.reports = value();
    else if (args[i] === '--image-reports') out.imageReports = value();
    else if (args[i] === '--requests') out.requests = value();
    else if (args[i] === '--pg') out.pg = args[++i];
  }
  for (const [name, v] of Object.entries({ n: out.n, pdq: out.pdq, reports: out.reports, 'image-reports': out.imageReports, requests: out.requests })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
  }
  return out;
}

function weighted<T>(random: () => number, choices: ReadonlyArray<readonly [T, number]>): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, w] of choices) {
    r -= w;
    if (r < 0) return value;
  }
  return choices[choices.length - 1]![0];
}

// A queue worked for 90 days: most cases decided or closed, a live head of open and in-review ones.
const STATES: ReadonlyArray<readonly [string, number]> = [
  ['open', 15],
  ['in_review', 10],
  ['actioned', 25],
  ['declined', 15],
  ['appealed', 3],
  ['closed', 32],
];
const JURISDICTIONS: ReadonlyArray<readonly [string, number]> = [
  ['US', 30],
  ['EU', 12],
  ['IN', 12],
  ['GB', 9],
  ['FR', 7],
  ['DE', 7],
  ['BR', 6],
  ['AU', 5],
  ['MY', 3],
  ['JP', 3],
  ['CA', 3],
  ['NL', 2],
  ['SG', 1],
];
const CATEGORIES: ReadonlyArray<readonly [string, number]> = [
  ['ncii', 30],
  ['sexual_deepfake', 20],
  ['nudity', 25],
  ['csam', 5],
  ['other', 20],
];
const RULES: ReadonlyArray<readonly [{ id: string; hours: number }, number]> = [
  [{ id: 'default', hours: 24 }, 40],
  [{ id: 'us-take-it-down', hours: 48 }, 25],
  [{ id: 'eu-dsa', hours: 24 }, 15],
  [{ id: 'in-ncii-2h', hours: 2 }, 10],
  [{ id: 'csam-everywhere', hours: 1 }, 5],
  [{ id: 'gb-osa', hours: 24 }, 5],
];
/** 60 reviewers, a few of whom carry most of the work. */
const REVIEWERS = Array.from({ length: 60 }, (_, i) => [`reviewer-${i}`, i < 10 ? 6 : 1] as const);

interface Seeded {
  /** A sample of seeded rows (deadline and id), for deep cursors and GET /v1/cases/:id. */
  sample: Array<{ id: string; deadline: string }>;
  pdqCases: number;
  seconds: number;
}

/** N cases in batches of 500 rows, 40 batches to a transaction. */
export async function seed(store: Store, n: number, pdqWanted: number, now: number): Promise<Seeded> {
  // Deterministic, so both stores get the same spread run after run.
  const random = mulberry32(12);
  const started = performance.now();
  const sample: Seeded['sample'] = [];
  const sampleEvery = Math.max(1, Math.floor(n / 2000));
  let pdqCases = 0;
  const BATCH = 500;
  const PER_TX = 40;
  for (let start = 0; start < n; start += BATCH * PER_TX) {
    await store.transaction(async (trx) => {
      for (let b = start; b < Math.min(n, start + BATCH * PER_TX); b += BATCH) {
        const rows: CaseRow[] = [];
        for (let i = b; i < Math.min(n, b + BATCH); i++) {
          const state = weighted(random, STATES);
          const rule = weighted(random, RULES);
          // Opened over the last 90 days, newest densest: the live head of the queue is recent.
          const opened = now - Math.floor(random() ** 2 * 90 * DAY);
          const deadline = new Date(opened + rule.hours * HOUR).toISOString();
          const withPdq = state !== 'closed' && pdqCases < pdqWanted;
          if (withPdq) pdqCases++;
          const id = `case_${randomBytes(16).toString('hex')}`;
          rows.push({
            id,
            state,
            jurisdiction: weighted(random, JURISDICTIONS),
            category: weighted(random, CATEGORIES),
            content_id: `post-${i}`,
            content_url: `https://platform.example/p/${i}`,
            image_pdq: withPdq ? randomBytes(32).toString('hex') : null,
            image_pdq_quality: withPdq ? 90 : null,
            image_sha256: withPdq ? randomBytes(32).toString('hex') : null,
            rule_id: rule.id,
            clock_version: 'bench',
            opened_at: new Date(opened).toISOString(),
            deadline,
            assignee: state === 'open' ? null : weighted(random, REVIEWERS),
            automated: random() < 0.05 ? 1 : 0,
            fired_alerts: '[]',
            updated_at: new Date(opened).toISOString(),
          });
          if (i % sampleEvery === 0) sample.push({ id, deadline });
        }
        await trx.insertInto('cases').values(rows).execute();
      }
    });
  }
  if (store.dialect === 'postgres') await sql`analyze cases`.execute(store.db);
  return { sample, pdqCases, seconds: (performance.now() - started) / 1000 };
}

interface Line {
  label: string;
  p50: number;
  p99: number;
  max: number;
  count: number;
}

/** Random-noise PNGs: each hashes to its own PDQ, far from every other, so none merges. */
async function noiseImages(count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const png = await sharp(randomBytes(64 * 64 * 3), { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toBuffer();
    out.push(png.toString('base64'));
  }
  return out;
}

async function runOn(label: string, store: Store, location: string, args: CasesBenchArgs): Promise<Line[]> {
  const lines: Line[] = [];
  const record = (name: string, samples: number[]) => {
    const s = summarise(samples);
    lines.push({ label: name, p50: s.p50, p99: s.p99, max: s.max, count: samples.length });
    console.log(
      `${label} ${name.padEnd(44)} n=${String(samples.length).padStart(4)}  p50 ${fmt(s.p50).padStart(9)}  p99 ${fmt(s.p99).padStart(9)}  max ${fmt(s.max).padStart(9)}`,
    );
  };
  return withBenchServer(store, location, KEY, async ({ base }) => {
    const headers = { authorization: `Bearer ${KEY}` };
    const get = async (path: string): Promise<{ ms: number; body: unknown }> => {
      let t0 = performance.now();
      // A keep-alive socket left idle through the seeding may be reset under the client: retry once.
      const res = await fetch(`${base}${path}`, { headers }).catch(() => {
        t0 = performance.now();
        return fetch(`${base}${path}`, { headers });
      });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 300)}`);
      return { ms, body: JSON.parse(text) as unknown };
    };

    // Two sets: the second run's images must not merge into the cases the first run opened.
    const emptyStoreImages = await noiseImages(Math.min(args.imageReports, 100));
    const images = await noiseImages(args.imageReports);
    const intake = async (name: string, count: number, withImage: string[] | undefined, offset: number) => {
      const concurrency = 8;
      const latencies: number[] = [];
      let next = 0;
      let merged = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) {
            const i = next++;
            const body = {
              reporter: { type: 'user', name: 'Bench Reporter', email: 'bench@example.org' },
              jurisdiction: ['US', 'FR', 'IN', 'GB'][i % 4],
              category: ['ncii', 'nudity', 'other'][i % 3],
              content: withImage ? { image: withImage[i] } : { id: `intake-${offset + i}`, url: `https://platform.example/i/${offset + i}` },
              explanation: 'Posted without consent.',
              good_faith: true,
              non_consensual: true,
              signature: 'Bench Reporter',
            };
            const t0 = performance.now();
            const res = await fetch(`${base}/v1/reports`, {
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/json' },
              body: JSON.stringify(body),
            });
            const text = await res.text();
            latencies.push(performance.now() - t0);
            if (res.status !== 201) throw new Error(`POST /v1/reports answered ${res.status}: ${text.slice(0, 300)}`);
            if ((JSON.parse(text) as { merged: boolean }).merged) merged++;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const s = summarise(latencies);
      console.log(
        `${label} intake ${name}: ${count} reports in ${seconds.toFixed(2)} s = ${(count / seconds).toFixed(0)} reports/s (${concurrency} in flight; ` +
          `p50 ${fmt(s.p50)}, p99 ${fmt(s.p99)}, max ${fmt(s.max)}; ${merged} merged)`,
      );
      lines.push({ label: `intake ${name} (reports/s ${(count / seconds).toFixed(0)})`, p50: s.p50, p99: s.p99, max: s.max, count });
    };

    // Before seeding: the cost of an image report when there is nothing to scan (decode + PDQ + insert).
    if (args.imageReports > 0) await intake('with image, empty store', emptyStoreImages.length, emptyStoreImages, 0);

    const seeded = await seed(store, args.n, args.pdq, Date.now());
    console.log(
      `${label}: seeded ${args.n.toLocaleString('en')} cases (${seeded.pdqCases.toLocaleString('en')} open with an image PDQ) in ${seeded.seconds.toFixed(1)} s ` +
        `(${Math.round(args.n / seeded.seconds).toLocaleString('en')} rows/s)`,
    );

    const N = args.requests;
    const scenario = async (name: string, path: (i: number) => string) => {
      for (let i = 0; i < 5; i++) await get(path(i)); // warm up
      const samples: number[] = [];
      for (let i = 0; i < N; i++) samples.push((await get(path(i))).ms);
      record(name, samples);
    };
    const cycle =
      <T>(values: readonly T[]) =>
      (i: number) =>
        values[i % values.length]!;
    await scenario('first page, no filter', () => '/v1/cases');
    await scenario('first page, limit=500', () => '/v1/cases?limit=500');
    await scenario('state=<each of 6>', (i) => `/v1/cases?state=${cycle(CASE_STATES)(i)}`);
    await scenario('jurisdiction=<each of 13>', (i) => `/v1/cases?jurisdiction=${cycle(JURISDICTIONS.map(([j]) => j))(i)}`);
    await scenario('jurisdiction=ZZ (no match)', () => '/v1/cases?jurisdiction=ZZ');
    await scenario('category=<each of 5>', (i) => `/v1/cases?category=${cycle(REPORT_CATEGORIES)(i)}`);
    await scenario('assignee=<each of 60>', (i) => `/v1/cases?assignee=${cycle(REVIEWERS.map(([r]) => r))(i)}`);
    await scenario('overdue=true', () => '/v1/cases?overdue=true');
    await scenario('overdue=true&state=<each>', (i) => `/v1/cases?overdue=true&state=${cycle(CASE_STATES)(i)}`);
    await scenario('state=open&jurisdiction=<each> (two filters)', (i) => `/v1/cases?state=open&jurisdiction=${cycle(JURISDICTIONS.map(([j]) => j))(i)}`);

    // Deep cursors: the cursor of a seeded case anywhere in the queue, crafted as the server makes them.
    const cursorOf = (row: { deadline: string; id: string }) => Buffer.from(JSON.stringify([row.deadline, row.id])).toString('base64url');
    const sample = seeded.sample;
    await scenario('cursor at a random depth, no filter', (i) => `/v1/cases?cursor=${cursorOf(sample[(i * 7919) % sample.length]!)}`);
    await scenario(
      'cursor at a random depth, state=<each>',
      (i) => `/v1/cases?state=${cycle(CASE_STATES)(i)}&cursor=${cursorOf(sample[(i * 7919) % sample.length]!)}`,
    );

    const walk = async (name: string, query: string, pages: number) => {
      const samples: number[] = [];
      let cursor: string | null = null;
      for (let p = 0; p < pages; p++) {
        const { ms, body } = await get(`/v1/cases?${query}${cursor ? `${query ? '&' : ''}cursor=${cursor}` : ''}`);
        samples.push(ms);
        cursor = (body as { next_cursor: string | null }).next_cursor;
        if (!cursor) break;
      }
      record(name, samples);
    };
    await walk('walk 200 pages by cursor, no filter', '', 200);
    await walk('walk 200 pages by cursor, state=open', 'state=open', 200);
    await walk('walk 200 pages by cursor, overdue=true', 'overdue=true', 200);
    await scenario('GET /v1/cases/:id', (i) => `/v1/cases/${sample[(i * 104729) % sample.length]!.id}`);

    if (args.reports > 0) await intake('content ids', args.reports, undefined, 0);
    if (args.imageReports > 0) await intake(`with image, ${seeded.pdqCases.toLocaleString('en')} open PDQs`, args.imageReports, images, args.reports);
    return lines;
  });
}

export async function runCasesBench(args: CasesBenchArgs = parseCasesArgs([])): Promise<void> {
  await onEachStore(args.pg, async (label, store, location) => {
    await runOn(label, store, location, args);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runCasesBench(parseCasesArgs(process.argv.slice(2)));
