import { SEXUALISATION_LEVELS } from '../domain/signals.js';
import type { LabelledRequest } from '../text/model/corpus.js';
import { CorpusFormatError, expectedDecision, parseCorpusTsv, parseLabelledTsv } from '../text/model/corpus.js';
import { type DecideFn, EVAL_SUBJECTS, type EvalDecision, type EvalSubject, mapLimit, type Rate, rate } from './common.js';
import type { ExternalReport } from './external.js';

export { type DecideFn, EVAL_SUBJECTS, type EvalDecision, type EvalSubject, mapLimit, type Rate, rate };

/**
 * Evaluation of a screening function on labelled edit prompts (the TSV format of
 * `eval/edit-prompts.dev.tsv`: lang, reference, expected, category, text). The screening
 * function is injected, so the same code measures the text detector alone (in tests) and the
 * whole screening service (from the CLI).
 *
 * Counting: a `review` decision is not an allow — it counts as a false block on an `allow`
 * row — and it is not a block — it counts as a miss on a `block` row.
 */

export interface EditPromptRow {
  /** 1-based line number in the file, for error messages and the misclassified list. */
  line: number;
  lang: string;
  reference: EvalSubject;
  expected: 'allow' | 'block';
  category: string;
  text: string;
  /** For corpus rows: the split the row belongs to. */
  split?: 'train' | 'validation';
}

export class EvalFormatError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    message: string,
  ) {
    super(`${source}:${line}: ${message}`);
    this.name = 'EvalFormatError';
  }
}

/**
 * Parses the TSV. A header row starting with "lang" is skipped, as are blank lines and lines
 * starting with "#". A malformed row throws an `EvalFormatError` naming the line.
 *
 * Two formats are read: the dev set's five columns (lang, reference, expected, category, text),
 * and the labelled requests of the corpus and the held-out test sets (lang, reference, sexual,
 * minor, violence, target, hard, text, or the corpus's eleven columns with id, split and writer
 * first), whose expected decision follows the corpus label rules (`expectedDecision`).
 */
export function parseEditPromptsTsv(text: string, source = 'input'): EditPromptRow[] {
  const labelled = labelledRows(text, source);
  if (labelled !== null) return labelled;
  const rows: EditPromptRow[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const cols = raw.split('\t');
    if (line === 1 && cols[0] === 'lang') return;
    if (cols.length < 5)
      throw new EvalFormatError(source, line, `expected 5 tab-separated columns (lang, reference, expected, category, text), found ${cols.length}.`);
    const [lang, reference, expected, category] = cols;
    const prompt = cols.slice(4).join('\t');
    if (!(EVAL_SUBJECTS as readonly string[]).includes(reference))
      throw new EvalFormatError(source, line, `reference must be one of ${EVAL_SUBJECTS.join(', ')}, found "${reference}".`);
    if (expected !== 'allow' && expected !== 'block') throw new EvalFormatError(source, line, `expected must be allow or block, found "${expected}".`);
    if (prompt.trim() === '') throw new EvalFormatError(source, line, 'the text column is empty.');
    rows.push({ line, lang, reference: reference as EvalSubject, expected, category, text: prompt });
  });
  return rows;
}

/** Reads the labelled-request formats, or returns null when the first data row is not one of them. */
function labelledRows(text: string, source: string): EditPromptRow[] | null {
  const first = text.split(/\r?\n/).find((raw) => raw.trim() !== '' && !raw.startsWith('#') && !raw.startsWith('lang\t') && !raw.startsWith('id\t'));
  if (first === undefined) return null;
  const cols = first.split('\t');
  const isLevel = (value: string | undefined): boolean => value !== undefined && (SEXUALISATION_LEVELS as readonly string[]).includes(value);
  const corpus = isLevel(cols[5]) && (cols[1] === 'train' || cols[1] === 'validation');
  if (!corpus && !isLevel(cols[2])) return null;
  try {
    const parsed = corpus ? parseCorpusTsv(text, source) : parseLabelledTsv(text, source);
    return parsed.map((row: LabelledRequest & { split?: EditPromptRow['split'] }, i) => ({
      line: i + 1,
      lang: row.lang,
      reference: row.reference,
      ...expectedDecision(row),
      text: row.text,
      ...(row.split === undefined ? {} : { split: row.split }),
    }));
  } catch (error) {
    if (error instanceof CorpusFormatError) throw new EvalFormatError(error.source, error.line, error.message.slice(`${error.source}:${error.line}: `.length));
    throw error;
  }
}

export interface GroupFigures {
  /** Blocked among rows expected to block. */
  recall: Rate;
  /** Not allowed (block or review) among rows expected to allow. */
  falseBlock: Rate;
}

export interface Misclassified {
  row: EditPromptRow;
  decision: EvalDecision['decision'];
  categories: string[];
}

export interface EditPromptsReport {
  rows: number;
  overall: GroupFigures;
  byLanguage: Record<string, GroupFigures>;
  byCategory: Record<string, GroupFigures>;
  /** Block rows that were blocked under a different category than the row's. */
  categoryMismatches: Misclassified[];
  misclassified: Misclassified[];
}

function tally(
  groups: Map<string, { blockRows: number; blocked: number; allowRows: number; notAllowed: number }>,
  key: string,
  row: EditPromptRow,
  decision: EvalDecision,
): void {
  let g = groups.get(key);
  if (g === undefined) {
    g = { blockRows: 0, blocked: 0, allowRows: 0, notAllowed: 0 };
    groups.set(key, g);
  }
  if (row.expected === 'block') {
    g.blockRows++;
    if (decision.decision === 'block') g.blocked++;
  } else {
    g.allowRows++;
    if (decision.decision !== 'allow') g.notAllowed++;
  }
}

function figures(groups: Map<string, { blockRows: number; blocked: number; allowRows: number; notAllowed: number }>): Record<string, GroupFigures> {
  const out: Record<string, GroupFigures> = {};
  for (const [key, g] of [...groups].sort(([a], [b]) => a.localeCompare(b)))
    out[key] = { recall: rate(g.blocked, g.blockRows), falseBlock: rate(g.notAllowed, g.allowRows) };
  return out;
}

/** Screens every row and computes recall, false blocks, per language and category, and the errors. */
export async function evaluateEditPrompts(
  rows: readonly EditPromptRow[],
  decide: DecideFn,
  options: { concurrency?: number } = {},
): Promise<EditPromptsReport> {
  const decisions = await mapLimit(rows, options.concurrency ?? 8, (row) => decide(row.text, row.reference));
  const all = new Map<string, { blockRows: number; blocked: number; allowRows: number; notAllowed: number }>();
  const byLanguage = new Map<string, { blockRows: number; blocked: number; allowRows: number; notAllowed: number }>();
  const byCategory = new Map<string, { blockRows: number; blocked: number; allowRows: number; notAllowed: number }>();
  const misclassified: Misclassified[] = [];
  const categoryMismatches: Misclassified[] = [];
  rows.forEach((row, i) => {
    const decision = decisions[i];
    tally(all, 'all', row, decision);
    tally(byLanguage, row.lang, row, decision);
    tally(byCategory, row.category, row, decision);
    const ok = row.expected === 'block' ? decision.decision === 'block' : decision.decision === 'allow';
    const item = { row, decision: decision.decision, categories: decision.categories };
    if (!ok) misclassified.push(item);
    else if (row.expected === 'block' && !decision.categories.includes(row.category)) categoryMismatches.push(item);
  });
  return {
    rows: rows.length,
    overall: figures(all).all ?? { recall: rate(0, 0), falseBlock: rate(0, 0) },
    byLanguage: figures(byLanguage),
    byCategory: figures(byCategory),
    categoryMismatches,
    misclassified,
  };
}

function pct(r: Rate): string {
  return r.rate === null ? '—' : `${(r.rate * 100).toFixed(r.rate < 0.01 && r.rate > 0 ? 2 : 1)}% (${r.count}/${r.of})`;
}

function table(title: string, groups: Record<string, GroupFigures>): string[] {
  const lines = [`${title}:`];
  const width = Math.max(8, ...Object.keys(groups).map((k) => k.length));
  lines.push(`  ${'group'.padEnd(width)}  ${'recall (block rows)'.padEnd(22)}  false blocks (allow rows)`);
  for (const [key, g] of Object.entries(groups)) lines.push(`  ${key.padEnd(width)}  ${pct(g.recall).padEnd(22)}  ${pct(g.falseBlock)}`);
  return lines;
}

/** One line per language with recall and false blocks side by side for several runs (e.g. lexicon, model, both). */
export function formatComparison(runs: ReadonlyArray<{ label: string; report: EditPromptsReport }>): string {
  const langs = [...new Set(runs.flatMap((r) => Object.keys(r.report.byLanguage)))].sort();
  const lines = ['Recall on block rows / false blocks on allow rows:'];
  const width = Math.max(10, ...runs.map((r) => r.label.length));
  lines.push(`  ${'language'.padEnd(9)}${runs.map((r) => r.label.padEnd(width + 24)).join('')}`);
  const cell = (g: GroupFigures | undefined): string => (g === undefined ? '—' : `${pct(g.recall)} / ${pct(g.falseBlock)}`);
  for (const lang of ['all', ...langs]) {
    lines.push(`  ${lang.padEnd(9)}${runs.map((r) => cell(lang === 'all' ? r.report.overall : r.report.byLanguage[lang]).padEnd(width + 24)).join('')}`);
  }
  return lines.join('\n');
}

export interface EvalReportInput {
  prompts?: EditPromptsReport;
  external?: ExternalReport;
  /** Shown in the heading, e.g. the file name. */
  title?: string;
}

/** Renders a plain-text report for a terminal or a CI log. */
export function formatEvalReport(input: EvalReportInput): string {
  const lines: string[] = [];
  if (input.title !== undefined) lines.push(`Evaluation: ${input.title}`, '');
  const p = input.prompts;
  if (p !== undefined) {
    lines.push(`Edit prompts: ${p.rows} rows. A "review" counts as not blocked for recall and as not allowed for false blocks.`);
    lines.push(`  recall on block rows:      ${pct(p.overall.recall)}`);
    lines.push(`  false blocks on allow rows: ${pct(p.overall.falseBlock)}`, '');
    lines.push(...table('By language', p.byLanguage), '');
    lines.push(...table('By category', p.byCategory), '');
    lines.push(`Misclassified rows: ${p.misclassified.length}`);
    for (const m of p.misclassified) {
      lines.push(
        `  line ${m.row.line} [${m.row.lang}, subject ${m.row.reference}] expected ${m.row.expected} (${m.row.category}), got ${m.decision}${m.categories.length > 0 ? ` (${m.categories.join(', ')})` : ''}: ${m.row.text}`,
      );
    }
    if (p.categoryMismatches.length > 0) {
      lines.push(`Blocked under another category: ${p.categoryMismatches.length}`);
      for (const m of p.categoryMismatches) lines.push(`  line ${m.row.line} expected ${m.row.category}, got ${m.categories.join(', ')}: ${m.row.text}`);
    }
    lines.push('');
  }
  const x = input.external;
  if (x !== undefined) {
    if (x.coco !== undefined) {
      lines.push(`COCO captions (subject none): false flags ${pct(x.coco.flagged)} — target ≤ 0.5%`);
      for (const ex of x.coco.examples) lines.push(`  flagged: ${ex.text} (${ex.categories.join(', ')})`);
      lines.push('');
    }
    if (x.ringABell !== undefined) {
      lines.push(`Ring-A-Bell nudity prompts (subject none): recall ${pct(x.ringABell.recall)}`);
      if (x.ringABell.noNudityFalseFlags !== undefined) lines.push(`  no-nudity twins flagged: ${pct(x.ringABell.noNudityFalseFlags)}`);
      for (const ex of x.ringABell.missed) lines.push(`  missed: ${ex}`);
      lines.push('');
    }
    if (x.moderation !== undefined) {
      lines.push('OpenAI moderation set (long passages, subject none; a flag = block) — a stress test, not the target domain:');
      for (const m of x.moderation) {
        lines.push(`  ${m.label.padEnd(3)} precision ${pct(m.precision)}, recall ${pct(m.recall)} (positives ${m.positives}, negatives ${m.negatives})`);
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}
