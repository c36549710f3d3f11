import { readFile } from 'node:fs/promises';

import { type AppContext, createAppContext } from '../../app-context.js';
import { readConfig } from '../../config.js';
import { PerisaiError } from '../../domain/errors.js';
import type { TextModelSettings } from '../../domain/policy/schema.js';
import { evaluateExternalSets } from '../../eval/external.js';
import {
  type DecideFn,
  type EditPromptsReport,
  EvalFormatError,
  evaluateEditPrompts,
  formatComparison,
  formatEvalReport,
  parseEditPromptsTsv,
} from '../../eval/prompts.js';
import { loadPolicyFile } from '../../policy/policy-file.js';
import { EXIT, writeLine } from '../io.js';

/**
 * Evaluation runs the real screening pipeline (text detector, policy, recorder) on a throw-away
 * in-memory store, so measuring never writes thousands of test decisions into a deployment's log.
 */
async function evalContext(policy: string | undefined, combine?: TextModelSettings['combine']): Promise<AppContext> {
  const config = readConfig(process.env, { db: ':memory:', imageDetectors: false, policyPath: policy });
  if (combine === undefined) return createAppContext(config);
  const loaded = loadPolicyFile(config.policyPath);
  return createAppContext(config, { policy: { ...loaded, text_model: { ...loaded.text_model, combine } } });
}

/** The lexicon alone, the model alone, and the policy's own combination. */
const SIDES: ReadonlyArray<{ label: string; combine: TextModelSettings['combine'] }> = [
  { label: 'lexicon', combine: 'lexicon' },
  { label: 'model', combine: 'model' },
];

function decider(ctx: AppContext): DecideFn {
  return async (prompt, subject) => {
    const record = await ctx.screening.screenRequest({ prompt: prompt.slice(0, 4000), images: [], subject }, 'eval');
    return { decision: record.decision, categories: record.categories };
  };
}

export async function evalPrompts(file: string, flags: { policy?: string; external?: string; split?: string }): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PerisaiError('invalid_arguments', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  let rows;
  try {
    rows = parseEditPromptsTsv(text, file);
  } catch (error) {
    if (error instanceof EvalFormatError) throw new PerisaiError('invalid_eval_file', error.message);
    throw error;
  }
  if (flags.split !== undefined) {
    if (flags.split !== 'train' && flags.split !== 'validation')
      throw new PerisaiError('invalid_arguments', `--split must be train or validation, not "${flags.split}".`);
    if (!rows.some((row) => row.split !== undefined))
      throw new PerisaiError('invalid_arguments', `--split applies to the corpus (corpus/text/requests.tsv); ${file} has no split column.`);
    rows = rows.filter((row) => row.split === flags.split);
  }
  const sides: Array<{ label: string; report: EditPromptsReport }> = [];
  for (const side of SIDES) {
    const one = await evalContext(flags.policy, side.combine);
    try {
      sides.push({ label: side.label, report: await evaluateEditPrompts(rows, decider(one)) });
    } finally {
      await one.close();
    }
  }
  const ctx = await evalContext(flags.policy);
  try {
    const decide = decider(ctx);
    const prompts = await evaluateEditPrompts(rows, decide);
    const external = flags.external ? await evaluateExternalSets(flags.external, decide) : undefined;
    await writeLine(formatEvalReport({ prompts, ...(external ? { external } : {}), title: file }));
    await writeLine(formatComparison([...sides, { label: `policy (${ctx.policy.text_model.combine})`, report: prompts }]));
  } finally {
    await ctx.close();
  }
  return EXIT.ok;
}

export async function evalExternal(dir: string, flags: { policy?: string }): Promise<number> {
  const ctx = await evalContext(flags.policy);
  try {
    const external = await evaluateExternalSets(dir, decider(ctx));
    await writeLine(formatEvalReport({ external, title: dir }));
  } finally {
    await ctx.close();
  }
  return EXIT.ok;
}
