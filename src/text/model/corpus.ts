import type { Sexualisation, TextModelHead } from '../../domain/signals.js';
import { SEXUALISATION_LEVELS, sexualisationRank } from '../../domain/signals.js';

/**
 * The labelled request corpus (`corpus/text/requests.tsv`) and the label rules shared by the
 * training command, the evaluation and the held-out test sets. See `corpus/text/README.md`.
 */

export const CORPUS_LANGUAGES = ['en', 'id', 'ms', 'fr', 'hi'] as const;
export type CorpusLanguage = (typeof CORPUS_LANGUAGES)[number];
export const REFERENCES = ['adult', 'minor', 'none', 'unknown'] as const;
export type Reference = (typeof REFERENCES)[number];

/** What a writer labels: the eight columns of a writer's file. */
export interface LabelledRequest {
  lang: CorpusLanguage;
  reference: Reference;
  sexual: Sexualisation;
  minor: boolean;
  violence: boolean;
  target: boolean;
  /** A benign request with risky-looking words ("naked eye", "strip the paint"). */
  hard: boolean;
  text: string;
}

/** A corpus row: a labelled request with its id, its fixed split and who wrote it. */
export interface CorpusRow extends LabelledRequest {
  id: string;
  split: 'train' | 'validation';
  writer: string;
}

export const CORPUS_COLUMNS = ['id', 'split', 'writer', 'lang', 'reference', 'sexual', 'minor', 'violence', 'target', 'hard', 'text'] as const;
export const LABEL_COLUMNS = ['lang', 'reference', 'sexual', 'minor', 'violence', 'target', 'hard', 'text'] as const;

export class CorpusFormatError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    message: string,
  ) {
    super(`${source}:${line}: ${message}`);
    this.name = 'CorpusFormatError';
  }
}

function oneOf<T extends string>(values: readonly T[], value: string, column: string, fail: (m: string) => never): T {
  if (!(values as readonly string[]).includes(value)) fail(`${column} must be one of ${values.join(', ')}, found "${value}".`);
  return value as T;
}

function flag(value: string, column: string, fail: (m: string) => never): boolean {
  if (value !== '0' && value !== '1') fail(`${column} must be 0 or 1, found "${value}".`);
  return value === '1';
}

/** Parses the eight label columns starting at `cols[0]`. */
function parseLabels(cols: readonly string[], fail: (m: string) => never): LabelledRequest {
  const [lang, reference, sexual, minor, violence, target, hard] = cols;
  const text = cols.slice(7).join(' ').trim();
  if (text === '') fail('the text column is empty.');
  const row: LabelledRequest = {
    lang: oneOf(CORPUS_LANGUAGES, lang, 'lang', fail),
    reference: oneOf(REFERENCES, reference, 'reference', fail),
    sexual: oneOf(SEXUALISATION_LEVELS, sexual, 'sexual', fail),
    minor: flag(minor, 'minor', fail),
    violence: flag(violence, 'violence', fail),
    target: flag(target, 'target', fail),
    hard: flag(hard, 'hard', fail),
    text,
  };
  if (row.hard && !isBenign(row)) fail('hard is only for benign rows (sexual none, violence 0).');
  return row;
}

function lines(text: string): Array<{ line: number; cols: string[] }> {
  const out: Array<{ line: number; cols: string[] }> = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '' || raw.startsWith('#')) return;
    out.push({ line: index + 1, cols: raw.split('\t') });
  });
  return out;
}

/** A writer's file or a held-out test set: eight columns, no header (a header line is skipped). */
export function parseLabelledTsv(text: string, source: string): LabelledRequest[] {
  return lines(text)
    .filter(({ line, cols }) => !(line === 1 && cols[0] === 'lang'))
    .map(({ line, cols }) => {
      const fail = (m: string): never => {
        throw new CorpusFormatError(source, line, m);
      };
      if (cols.length < LABEL_COLUMNS.length)
        fail(`expected ${LABEL_COLUMNS.length} tab-separated columns (${LABEL_COLUMNS.join(', ')}), found ${cols.length}.`);
      return parseLabels(cols, fail);
    });
}

export function parseCorpusTsv(text: string, source: string): CorpusRow[] {
  return lines(text)
    .filter(({ cols }) => cols[0] !== 'id')
    .map(({ line, cols }) => {
      const fail = (m: string): never => {
        throw new CorpusFormatError(source, line, m);
      };
      if (cols.length < CORPUS_COLUMNS.length)
        fail(`expected ${CORPUS_COLUMNS.length} tab-separated columns (${CORPUS_COLUMNS.join(', ')}), found ${cols.length}.`);
      const [id, split, writer] = cols;
      if (split !== 'train' && split !== 'validation') fail(`split must be train or validation, found "${split}".`);
      return { id, split: split as CorpusRow['split'], writer, ...parseLabels(cols.slice(3), fail) };
    });
}

export function formatCorpusRow(row: CorpusRow): string {
  const b = (x: boolean): string => (x ? '1' : '0');
  return [row.id, row.split, row.writer, row.lang, row.reference, row.sexual, b(row.minor), b(row.violence), b(row.target), b(row.hard), row.text].join('\t');
}

export function isBenign(row: Pick<LabelledRequest, 'sexual' | 'violence'>): boolean {
  return row.sexual === 'none' && !row.violence;
}

/** The 0/1 target of each model head for a labelled request. */
export function headLabels(row: LabelledRequest): Record<TextModelHead, 0 | 1> {
  const rank = sexualisationRank(row.sexual);
  const b = (x: boolean): 0 | 1 => (x ? 1 : 0);
  return {
    revealing: b(rank >= 1),
    suggestive: b(rank >= 2),
    explicit: b(rank >= 3),
    minor: b(row.minor),
    sexual_violence: b(row.violence),
    target: b(row.target),
  };
}

/**
 * What the shipped policy must decide for a labelled request (adult content off), and under which
 * category. The label rules of the corpus README, in code: sexual violence and explicit content are
 * always refused; revealing or more is refused when a real person (an attached photo that is not
 * stated to show no one, or a person the text points at) or a minor is involved.
 */
export function expectedDecision(row: LabelledRequest): { expected: 'allow' | 'block'; category: string } {
  const sexual = sexualisationRank(row.sexual) >= 1;
  const realPerson = row.reference !== 'none' || row.target;
  if (sexual && (row.minor || row.reference === 'minor')) return { expected: 'block', category: 'minor_sexual' };
  if (row.violence) return { expected: 'block', category: 'sexual_violence' };
  if (sexual && realPerson) return { expected: 'block', category: 'sexualize_real_person' };
  if (row.sexual === 'explicit') return { expected: 'block', category: 'nudity' };
  return { expected: 'allow', category: 'benign' };
}
