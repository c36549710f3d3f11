import { readFile } from 'node:fs/promises';
import { createAppContext, type AppContext } from '../../app-context.js';
import { readConfig } from '../../config.js';
import { PerisaiError } from '../../domain/errors.js';
import { evaluateExternalSets } from '../../services/eval-external.js';
import { EvalFormatError, evaluateEditPrompts, formatEvalReport, parseEditPromptsTsv, type DecideFn } from '../../services/eval-prompts.js';
import { EXIT, writeLine } from '../io.js';

/**
 * Evaluation runs the real screening pipeline (text detector, policy, recorder) on a throw-away
 * in-memory store, so measuring never writes thousands of test decisions into a deployment's log.
 */
async function evalContext(policy: string | undefined): Promise<AppContext> {
  return createAppContext(readConfig(process.env, { db: ':memory:', imageDetectors: false, policyPath: policy }));
}

function decider(ctx: AppContext): DecideFn {
  return async (prompt, subject) => {
    const record = await ctx.screening.screenRequest({ prompt: prompt.slice(0, 4000), images: [], subject }, 'eval');
    return { decision: record.decision, categories: record.categories };
  };
}

export async function evalPrompts(file: string, flags: { policy?: string; external?: string }): Promise<number> {
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
  const ctx = await evalContext(flags.policy);
  try {
    const decide = decider(ctx);
    const prompts = await evaluateEditPrompts(rows, decide);
    const external = flags.external ? await evaluateExternalSets(flags.external, decide) : undefined;
    await writeLine(formatEvalReport({ prompts, ...(external ? { external } : {}), title: file }));
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
