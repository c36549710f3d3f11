import { isPdqHex, PDQ_HEX_LENGTH } from '../pdq/index.js';
import type { Column } from './hash-csv.js';
import { CSV_HEADER, csvEndsQuoted, csvLine, HEADERLESS, readHeader, recordValues, splitCsvRecord } from './hash-csv.js';
import type { HashEntry, HashEntryLike } from './hash-entry.js';
import { checkPdq, checkQuality, checkSha256, checkText, differingFields, FieldError, jsonlLineSchema, TEXT_FIELDS } from './hash-entry.js';

export type { HashEntry, HashEntryLike } from './hash-entry.js';

/**
 * Hash lists in the formats the ecosystem exchanges:
 * - `pdq`: `pdq_hex,quality[,label]` a line, exactly what `perisai hash` prints (the label is
 *   the rest of the line, commas and all, so file names survive);
 * - `csv`: RFC 4180 with a header row naming the columns (see `hash-csv.ts`), or headerless
 *   `pdq,quality,label`;
 * - `jsonl`: one `{ "pdq": ..., "quality": ..., "sha256"?, "label"?, "source"?, "category"?,
 *   "reason"? }` a line.
 *
 * Parsing is all or nothing: the result holds every entry or every error (up to `maxErrors`),
 * each with its line number, so a caller imports the list in one transaction or not at all.
 * A hash repeated with identical metadata is dropped (counted in `duplicates`), so re-importing
 * a list or concatenating overlapping lists is harmless; a hash repeated with different
 * metadata is an error, since silently picking one would lose information.
 */
export type HashListFormat = 'pdq' | 'csv' | 'jsonl';
export const HASH_LIST_FORMATS: readonly HashListFormat[] = ['pdq', 'csv', 'jsonl'];

export interface HashListError {
  /** 1-based line number (of the record's first line for multi-line CSV); 0 for the input as a whole. */
  line: number;
  message: string;
}

export type HashListResult =
  | { ok: true; format: HashListFormat; entries: HashEntry[]; duplicates: number }
  | {
      ok: false;
      format: HashListFormat | undefined;
      errors: HashListError[];
      /** Parsing stopped at `maxErrors`; later lines were not checked. */
      truncated: boolean;
    };

export interface ParseHashListOptions {
  /** Skips detection from the first non-empty line. */
  format?: HashListFormat | undefined;
  /** Hashes of lower quality are errors (a bank's minimum). Default 0. */
  minQuality?: number | undefined;
  /** Quality for CSV and JSONL entries that carry none (lists vetted by their publisher). Default 100. */
  defaultQuality?: number | undefined;
  /** Default 50 MiB. */
  maxBytes?: number | undefined;
  /** Default 1,000,000. */
  maxLines?: number | undefined;
  /** Stop collecting after this many errors. Default 20. */
  maxErrors?: number | undefined;
}

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_LINES = 1_000_000;
export const DEFAULT_MAX_ERRORS = 20;

/** The format of a list from its first non-empty line: `{` → jsonl, a hash then a comma → pdq, else csv. */
export function detectHashListFormat(firstLine: string): HashListFormat {
  const s = firstLine.replace(/^\uFEFF/, '').trimStart();
  if (s.startsWith('{')) return 'jsonl';
  if (isPdqHex(s.slice(0, PDQ_HEX_LENGTH)) && /^\s*(,|$)/.test(s.slice(PDQ_HEX_LENGTH))) return 'pdq';
  return 'csv';
}

/**
 * Parses a whole list held in memory.
 *
 * @example
 * const result = parseHashList('f'.repeat(64) + ',100,cat.jpg\n', { minQuality: 50 });
 * if (result.ok) result.entries; // [{ pdq: 'fff…', quality: 100, label: 'cat.jpg' }]
 */
export function parseHashList(input: string | Uint8Array, options: ParseHashListOptions = {}): HashListResult {
  const parser = new HashListParser(options);
  parser.push(input);
  return parser.end();
}

/** Parses a list arriving in chunks (stdin, an upload), stopping early once it is over a limit. */
export async function parseHashListStream(chunks: AsyncIterable<string | Uint8Array>, options: ParseHashListOptions = {}): Promise<HashListResult> {
  const parser = new HashListParser(options);
  for await (const chunk of chunks) if (!parser.push(chunk)) break;
  return parser.end();
}

/**
 * Parses a whole list held in memory, `linesPerSlice` lines at a time, letting the event loop
 * run between slices: a 200,000-line upload parsed in one go would hold up every other request
 * of the process for a second or more. The result is the same as `parseHashList`'s.
 */
export async function parseHashListInSlices(text: string, options: ParseHashListOptions = {}, linesPerSlice = 5000): Promise<HashListResult> {
  const parser = new HashListParser(options);
  let start = 0;
  while (start < text.length) {
    let end = start - 1;
    for (let i = 0; i < linesPerSlice; i++) {
      end = text.indexOf('\n', end + 1);
      if (end < 0) break;
    }
    const stop = end < 0 ? text.length : end + 1;
    if (!parser.push(text.slice(start, stop))) break;
    start = stop;
    if (start < text.length) await yieldToEventLoop();
  }
  return parser.end();
}

/** Resolves after the event loop has had a turn (I/O callbacks, timers), not just microtasks. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Incremental parser: `push` chunks (returns false once parsing has stopped), then `end`. */
export class HashListParser {
  private readonly minQuality: number;
  private readonly defaultQuality: number;
  private readonly maxBytes: number;
  private readonly maxLines: number;
  private readonly maxErrors: number;
  private format: HashListFormat | undefined;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private rest = '';
  private bytes = 0;
  private lineNo = 0;
  private stopped = false;
  private truncated = false;
  private readonly entries: HashEntry[] = [];
  private readonly errors: HashListError[] = [];
  private readonly seen = new Map<string, { line: number; entry: HashEntry }>();
  private duplicates = 0;
  private csvColumns: Array<Column | undefined> | undefined;
  private csvPending = '';
  private csvPendingLine = 0;

  constructor(options: ParseHashListOptions = {}) {
    this.format = options.format;
    this.minQuality = options.minQuality ?? 0;
    this.defaultQuality = options.defaultQuality ?? 100;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
    this.maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  }

  push(chunk: string | Uint8Array): boolean {
    if (this.stopped) return false;
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (this.bytes > this.maxBytes) {
      this.fail(0, `the list is larger than the limit of ${this.maxBytes} bytes`, true);
      return false;
    }
    const text = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0 && !this.stopped; nl = text.indexOf('\n', start)) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = this.stopped ? '' : text.slice(start);
    return !this.stopped;
  }

  end(): HashListResult {
    if (!this.stopped) {
      const tail = this.rest + this.decoder.decode();
      if (tail !== '') this.line(tail);
      if (this.csvPending !== '' && !this.stopped) this.fail(this.csvPendingLine, 'a quoted field is never closed');
    }
    if (this.errors.length > 0) return { ok: false, format: this.format, errors: this.errors, truncated: this.truncated };
    if (this.entries.length === 0 && this.format === undefined)
      return { ok: false, format: undefined, errors: [{ line: 0, message: 'the list is empty' }], truncated: false };
    return { ok: true, format: this.format ?? 'pdq', entries: this.entries, duplicates: this.duplicates };
  }

  private line(raw: string): void {
    this.lineNo++;
    if (this.lineNo > this.maxLines) {
      this.fail(this.lineNo, `the list has more than ${this.maxLines} lines`, true);
      return;
    }
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.lineNo === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (this.csvPending !== '') {
      this.csvRecord(`${this.csvPending}\n${line}`, this.csvPendingLine, csvEndsQuoted(line, true));
      return;
    }
    if (line.trim() === '') return;
    this.format ??= detectHashListFormat(line);
    try {
      if (this.format === 'pdq') this.pdqLine(line);
      else if (this.format === 'jsonl') this.jsonLine(line);
      else this.csvRecord(line, this.lineNo, csvEndsQuoted(line, false));
    } catch (error) {
      if (error instanceof FieldError) this.fail(this.lineNo, error.message);
      else throw error;
    }
  }

  private pdqLine(line: string): void {
    if (line.startsWith('#')) return; // a comment; no hash starts with '#'
    const c1 = line.indexOf(',');
    if (c1 < 0)
      throw new FieldError(
        isPdqHex(line.trim()) ? 'the quality is missing; expected pdq_hex,quality[,label]' : `expected pdq_hex,quality[,label]; ${describeHashProblem(line)}`,
      );
    const c2 = line.indexOf(',', c1 + 1);
    const pdq = checkPdq(line.slice(0, c1));
    const quality = checkQuality(c2 < 0 ? line.slice(c1 + 1) : line.slice(c1 + 1, c2), this.minQuality);
    const label = checkText('label', c2 < 0 ? undefined : line.slice(c2 + 1));
    this.accept({ pdq, quality, ...(label !== undefined ? { label } : {}) }, this.lineNo);
  }

  private jsonLine(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new FieldError('not valid JSON; expected one object a line');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FieldError('expected a JSON object');
    const parsed = jsonlLineSchema.safeParse(value);
    if (!parsed.success)
      throw new FieldError(
        parsed.error.issues
          .map((i) => (i.path.length > 0 && !i.message.startsWith(String(i.path[0])) ? `${i.path.join('.')}: ${i.message}` : i.message))
          .join('; '),
      );
    const v = parsed.data;
    const entry: HashEntry = {
      pdq: checkPdq(v.pdq),
      quality: v.quality === null || v.quality === undefined ? this.checkDefaultQuality() : checkQuality(v.quality, this.minQuality),
    };
    const sha256 = v.sha256 ? checkSha256(v.sha256) : undefined;
    if (sha256) entry.sha256 = sha256;
    for (const field of TEXT_FIELDS) {
      const text = checkText(field, v[field]);
      if (text !== undefined) entry[field] = text;
    }
    this.accept(entry, this.lineNo);
  }

  private csvRecord(text: string, firstLine: number, open: boolean): void {
    if (open) {
      this.csvPending = text;
      this.csvPendingLine = firstLine;
      return;
    }
    this.csvPending = '';
    try {
      const fields = splitCsvRecord(text);
      if (this.csvColumns === undefined) {
        if (isPdqHex(fields[0])) this.csvColumns = HEADERLESS;
        else {
          try {
            this.csvColumns = readHeader(fields);
          } catch (error) {
            // Without a usable header no later line can be read: stop here, with one error.
            if (error instanceof FieldError) this.fail(firstLine, error.message, true);
            else throw error;
          }
          return;
        }
      }
      const values = recordValues(fields, this.csvColumns);
      const entry: HashEntry = {
        pdq: checkPdq(values.pdq ?? ''),
        quality: values.quality === undefined || values.quality.trim() === '' ? this.checkDefaultQuality() : checkQuality(values.quality, this.minQuality),
      };
      const sha256 = values.sha256 === undefined ? undefined : checkSha256(values.sha256);
      if (sha256) entry.sha256 = sha256;
      for (const field of TEXT_FIELDS) {
        const t = checkText(field, values[field]);
        if (t !== undefined) entry[field] = t;
      }
      this.accept(entry, firstLine);
    } catch (error) {
      if (error instanceof FieldError) this.fail(firstLine, error.message);
      else throw error;
    }
  }

  private checkDefaultQuality(): number {
    return checkQuality(this.defaultQuality, this.minQuality);
  }

  private accept(entry: HashEntry, line: number): void {
    const before = this.seen.get(entry.pdq);
    if (before) {
      const diff = differingFields(before.entry, entry);
      if (diff.length === 0) this.duplicates++;
      else this.fail(line, `the hash ${entry.pdq} already appears on line ${before.line} with a different ${diff.join(', ')}`);
      return;
    }
    this.seen.set(entry.pdq, { line, entry });
    if (this.errors.length === 0) this.entries.push(entry); // once failed, only errors matter
  }

  private fail(line: number, message: string, stop = false): void {
    if (this.errors.length >= this.maxErrors) {
      this.truncated = true;
      this.stopped = true;
      return;
    }
    this.errors.push({ line, message });
    if (stop) this.stopped = true;
    if (this.errors.length >= this.maxErrors) this.stopped = this.truncated = true;
    this.entries.length = 0;
  }
}

function describeHashProblem(line: string): string {
  try {
    checkPdq(line);
    return 'the quality is missing';
  } catch (error) {
    return error instanceof FieldError ? error.message : String(error);
  }
}

/**
 * The lines of a list in `format`, without line terminators; csv starts with its header.
 * The pdq format keeps only hash, quality and label (line breaks in a label become spaces).
 */
export function* hashListLines(entries: Iterable<HashEntryLike>, format: HashListFormat): Generator<string> {
  if (format === 'csv') yield CSV_HEADER.join(',');
  for (const entry of entries) yield formatEntry(entry, format);
}

export async function* hashListLinesAsync(entries: AsyncIterable<HashEntryLike> | Iterable<HashEntryLike>, format: HashListFormat): AsyncGenerator<string> {
  if (format === 'csv') yield CSV_HEADER.join(',');
  for await (const entry of entries) yield formatEntry(entry, format);
}

/** A whole list as one string, one entry a line, ending in a newline. */
export function formatHashList(entries: Iterable<HashEntryLike>, format: HashListFormat): string {
  let out = '';
  for (const line of hashListLines(entries, format)) out += `${line}\n`;
  return out;
}

function formatEntry(entry: HashEntryLike, format: HashListFormat): string {
  if (format === 'csv') return csvLine(entry);
  if (format === 'pdq') {
    const label = entry.label ? `,${entry.label.replace(/[\r\n]+/g, ' ')}` : '';
    return `${entry.pdq},${entry.quality}${label}`;
  }
  const out: Record<string, string | number> = { pdq: entry.pdq, quality: entry.quality };
  if (entry.sha256) out.sha256 = entry.sha256;
  for (const field of TEXT_FIELDS) {
    const value = entry[field];
    if (value) out[field] = value;
  }
  return JSON.stringify(out);
}
