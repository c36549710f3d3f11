/** What the prompt and external evaluations share: the function under test, rates and bounded concurrency. */

export const EVAL_SUBJECTS = ['adult', 'minor', 'none', 'unknown'] as const;
export type EvalSubject = (typeof EVAL_SUBJECTS)[number];

export interface EvalDecision {
  decision: 'allow' | 'block' | 'review';
  categories: string[];
}

/** The screening function under test. */
export type DecideFn = (prompt: string, subject: EvalSubject) => Promise<EvalDecision>;

/** A proportion with its counts, so a reader can see how much data stands behind it. */
export interface Rate {
  count: number;
  of: number;
  /** count / of, or null when there is no data. */
  rate: number | null;
}

export function rate(count: number, of: number): Rate {
  return { count, of, rate: of === 0 ? null : count / of };
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
