import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { AppContext } from '../../app-context.js';
import { transparencyCsv } from '../../domain/transparency.js';
import { parseInput } from '../../services/parse-input.js';
import { periodSchema } from '../../services/sor.js';
import { transparencyQuerySchema } from '../../services/transparency.js';
import { EXIT, writeLine } from '../io.js';

export interface PeriodFlags {
  from?: string;
  to?: string;
}

/**
 * `perisai report sor --from --to [--out DIR]`: the period's statements of reasons in the EU
 * Transparency Database's bulk format, `{"statements": [...]}` of at most 100 each. With --out,
 * one file a batch (statements-0001.json, …), each written whole or not at all; without, one
 * batch a line on stdout (JSON lines), so a pipe can POST each line as it comes.
 */
export async function reportSor(ctx: AppContext, flags: PeriodFlags & { out?: string }): Promise<number> {
  const period = parseInput(periodSchema, { from: flags.from, to: flags.to }, 'options');
  if (flags.out) mkdirSync(flags.out, { recursive: true });
  let batches = 0;
  let statements = 0;
  for await (const batch of ctx.statements.batches(period)) {
    batches += 1;
    statements += batch.statements.length;
    const json = JSON.stringify(batch);
    if (flags.out) {
      const file = join(flags.out, `statements-${String(batches).padStart(4, '0')}.json`);
      writeFileSync(`${file}.tmp`, `${json}\n`);
      renameSync(`${file}.tmp`, file);
    } else {
      await writeLine(json);
    }
  }
  process.stderr.write(`${statements} statements of reasons in ${batches} batches${flags.out ? ` written to ${flags.out}` : ''}\n`);
  return EXIT.ok;
}

/** `perisai report transparency --from --to [--format json|csv]`: the period's figures on stdout. */
export async function reportTransparency(ctx: AppContext, flags: PeriodFlags & { format?: string }): Promise<number> {
  const { format, ...period } = parseInput(
    transparencyQuerySchema,
    { from: flags.from, to: flags.to, ...(flags.format ? { format: flags.format } : {}) },
    'options',
  );
  const report = await ctx.transparency.report(period);
  process.stdout.write(format === 'csv' ? transparencyCsv(report) : `${JSON.stringify(report, null, 2)}\n`);
  return EXIT.ok;
}
