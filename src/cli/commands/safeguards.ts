import { readFileSync, writeFileSync } from 'node:fs';

import { type AppContext, createAppContext } from '../../app-context.js';
import { readPublicKey } from '../../audit-key.js';
import { readConfig } from '../../config.js';
import { PerisaiError } from '../../domain/errors.js';
import type { SafeguardsReport } from '../../domain/safeguards-report.js';
import type { DecideFn } from '../../eval/common.js';
import { type EvaluationSet, type Period, SafeguardsService } from '../../services/safeguards.js';
import { PACKAGE_VERSION } from '../../version.js';
import { EXIT, writeLine } from '../io.js';

/** The held-out rounds: test sets written by people who saw neither the corpus nor the code. */
export const DEFAULT_EVALUATION_SETS = ['corpus/text/heldout/round-1.tsv', 'corpus/text/heldout/round-2.tsv', 'corpus/text/heldout/round-3.tsv'];

export interface SafeguardsFlags {
  out: string;
  eval?: string[];
  from?: string;
  to?: string;
  policy?: string;
}

export interface SafeguardsVerifyFlags {
  eval?: string[];
  publicKey?: string;
  policy?: string;
  json?: boolean;
}

/** `perisai report safeguards --out FILE`: measures, gathers and signs. */
export async function safeguardsReport(ctx: AppContext, flags: SafeguardsFlags): Promise<number> {
  const period = periodOf(flags);
  const sets = readSets(flags.eval ?? DEFAULT_EVALUATION_SETS);
  const report = await withMeasurement(ctx, flags.policy, (service) => service.build({ sets, ...(period ? { period } : {}) }));
  try {
    // 'wx': a signed report is evidence; never overwrite one.
    writeFileSync(flags.out, `${JSON.stringify(report, null, 2)}\n`, { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PerisaiError(
      'invalid_arguments',
      code === 'EEXIST' ? `${flags.out} exists: choose another --out (reports are never overwritten).` : `Cannot write ${flags.out} (${code}).`,
    );
  }
  for (const figures of report.evaluation) {
    await writeLine(
      `${figures.path}: blocked ${percent(figures.block_rate)} of ${figures.block_rate.of} harmful requests, falsely blocked ${percent(figures.false_block_rate)} of ${figures.false_block_rate.of} benign ones.`,
    );
  }
  await writeLine(`Signed with audit key ${report.key_id.slice(0, 16)}…; audit chain at entry ${report.audit_chain.seq}. Wrote ${flags.out}.`);
  return EXIT.ok;
}

/** `perisai report verify FILE`: the signature, then every figure measured again. */
export async function safeguardsVerify(ctx: AppContext, file: string, flags: SafeguardsVerifyFlags): Promise<number> {
  const text = readText(file);
  const trusted = flags.publicKey === undefined ? undefined : readPublicKey(flags.publicKey);
  const result = await withMeasurement(ctx, flags.policy, async (service) => {
    const report: SafeguardsReport = service.parse(text);
    const sets = readSets(flags.eval ?? report.evaluation.map((figures) => figures.path), true);
    return service.verify(report, sets, trusted);
  });
  if (flags.json) {
    await writeLine(JSON.stringify(result));
    return result.ok ? EXIT.ok : EXIT.failure;
  }
  if (result.ok) {
    await writeLine(`The report verifies: its signature holds and ${result.measured.length} evaluation set(s) measured again give the same figures.`);
    if (!result.signerTrusted) {
      await writeLine(
        `The signature was checked with the key the report carries (${result.signature.ok ? result.signature.keyId.slice(0, 16) : '?'}…): compare it with the operator's published audit key (perisai audit public-key), or pass --public-key.`,
      );
    }
    return EXIT.ok;
  }
  process.stderr.write(`The report does NOT verify:\n${result.problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
  return EXIT.failure;
}

/**
 * Measurement runs the real pipeline on a throw-away in-memory store with the deployment's
 * policy, so re-measuring never writes evaluation decisions into the deployment's audit log.
 */
async function withMeasurement<T>(ctx: AppContext, policyPath: string | undefined, fn: (service: SafeguardsService) => Promise<T>): Promise<T> {
  const scratch = await createAppContext(readConfig(process.env, { db: ':memory:', imageDetectors: false, policyPath: policyPath ?? ctx.config.policyPath }));
  const decide: DecideFn = async (prompt, subject) => {
    const record = await scratch.screening.screenRequest({ prompt: prompt.slice(0, 4000), images: [], subject }, 'safeguards');
    return { decision: record.decision, categories: record.categories };
  };
  try {
    return await fn(
      new SafeguardsService({
        software: { name: 'perisai', version: PACKAGE_VERSION },
        policy: scratch.policy,
        clockRules: ctx.clockRules,
        textDetector: scratch.textDetector,
        imageDetectors: ctx.imageAnalyser.detectors,
        audit: ctx.audit,
        signer: ctx.auditKey,
        clock: ctx.clock,
        decide,
        // The deployment's own figures for the period, from its store (not the scratch one).
        transparency: async (period) => ({ ...(await ctx.transparency.report(period)) }),
      }),
    );
  } finally {
    await scratch.close();
  }
}

function readSets(paths: readonly string[], forVerify = false): EvaluationSet[] {
  return paths.map((path) => {
    try {
      return { path, text: readFileSync(path, 'utf8') };
    } catch {
      throw new PerisaiError(
        'invalid_arguments',
        forVerify
          ? `Cannot read the evaluation set ${path} the report names: run from the directory it was made in, or pass the sets with --eval.`
          : `Cannot read the evaluation set ${path}: check the path given to --eval.`,
      );
    }
  });
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new PerisaiError('invalid_arguments', `Cannot read ${path}: check the path.`);
  }
}

function periodOf(flags: { from?: string; to?: string }): Period | undefined {
  if (flags.from === undefined && flags.to === undefined) return undefined;
  if (flags.from === undefined || flags.to === undefined) throw new PerisaiError('invalid_arguments', 'Give both --from and --to for the period, or neither.');
  for (const value of [flags.from, flags.to]) {
    if (Number.isNaN(Date.parse(value)))
      throw new PerisaiError('invalid_arguments', `${value} is not a date: use ISO 8601, e.g. 2026-11-01 or 2026-11-01T00:00:00Z.`);
  }
  if (Date.parse(flags.from) >= Date.parse(flags.to)) throw new PerisaiError('invalid_arguments', '--from must be before --to.');
  return { from: new Date(flags.from).toISOString(), to: new Date(flags.to).toISOString() };
}

function percent(rate: { rate: number | null }): string {
  return rate.rate === null ? 'n/a' : `${(rate.rate * 100).toFixed(1)}%`;
}
