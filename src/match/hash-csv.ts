import type { HashEntryLike, TextField } from './hash-entry.js';
import { FieldError, TEXT_FIELDS } from './hash-entry.js';

/**
 * CSV as hash-exchange tools write it (RFC 4180: comma-separated, fields optionally in double
 * quotes, `""` for a quote inside quotes, quoted fields may span lines). A header row names the
 * columns; the names below cover Perisai's own export, ThreatExchange/HMA style
 * `signal_type,signal_value` exports and ad-hoc `hash,label` sheets. Without a header (the first
 * field is already a hash) the columns are `pdq,quality,label`.
 */
export type Column = 'pdq' | 'quality' | 'sha256' | 'signal_type' | TextField;

const COLUMN_NAMES: Record<string, Column> = {
  pdq: 'pdq',
  pdq_hex: 'pdq',
  pdq_hash: 'pdq',
  hash: 'pdq',
  signal_value: 'pdq',
  signal: 'pdq',
  quality: 'quality',
  pdq_quality: 'quality',
  sha256: 'sha256',
  sha_256: 'sha256',
  signal_type: 'signal_type',
  label: 'label',
  filename: 'label',
  file: 'label',
  content_id: 'label',
  category: 'category',
  tags: 'category',
  source: 'source',
  reason: 'reason',
  description: 'reason',
};

/** Signal type names other tools use for PDQ. */
const PDQ_SIGNAL_TYPES = new Set(['pdq', 'photo_pdq', 'hash_pdq', 'pdq_hash', 'pdqsignal']);

/** The column order of Perisai's own CSV export. */
export const CSV_HEADER: readonly Column[] = ['pdq', 'quality', 'sha256', 'label', 'source', 'category', 'reason'];

/**
 * Whether a CSV line ends inside a quoted field (the record then continues on the next line),
 * given whether it starts inside one. Scanning only the new line keeps a long multi-line field
 * linear. Only a quote opening a field starts quoting, so a stray quote inside an unquoted
 * field is left for `splitCsvRecord` to report instead of swallowing the rest of the file.
 */
export function csvEndsQuoted(line: string, startsQuoted: boolean): boolean {
  let quoted = startsQuoted;
  let fieldStart = !startsQuoted;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (quoted) {
      if (c === 34) {
        if (line.charCodeAt(i + 1) === 34) i++;
        else quoted = false;
      }
    } else if (c === 44) fieldStart = true;
    else if (c === 34 && fieldStart) {
      quoted = true;
      fieldStart = false;
    } else if (c !== 32 && c !== 9) fieldStart = false;
  }
  return quoted;
}

/** Splits one complete CSV record into fields. Unquoted fields are trimmed; quoted ones kept verbatim. */
export function splitCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new FieldError('a quoted field is never closed');
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      while (text[i] === ' ' || text[i] === '\t') i++;
      if (i < text.length && text[i] !== ',') throw new FieldError(`unexpected ${JSON.stringify(text[i])} after a closing quote`);
      fields.push(value);
    } else {
      const comma = text.indexOf(',', i);
      const raw = comma < 0 ? text.slice(i) : text.slice(i, comma);
      if (raw.includes('"')) throw new FieldError('a field containing a quote must be quoted as a whole, with the quote doubled');
      fields.push(raw.trim());
      i = comma < 0 ? text.length : comma;
    }
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

/** Maps header names to columns; throws when no column holds the hash. */
export function readHeader(fields: string[]): Array<Column | undefined> {
  const columns = fields.map((f) => COLUMN_NAMES[f.trim().toLowerCase()]);
  if (!columns.includes('pdq')) {
    throw new FieldError(`the header names no hash column (${fields.map((f) => JSON.stringify(f)).join(', ')}); name it pdq, signal_value or hash`);
  }
  const seen = new Set<Column>();
  for (const c of columns) {
    if (c && seen.has(c)) throw new FieldError(`the header names the ${c} column twice`);
    if (c) seen.add(c);
  }
  return columns;
}

/** Column layout when there is no header: what `perisai hash` prints. */
export const HEADERLESS: Array<Column | undefined> = ['pdq', 'quality', 'label'];

/** The raw values of one record by column, after checking the signal type. */
export function recordValues(fields: string[], columns: Array<Column | undefined>): Partial<Record<Column, string>> {
  const out: Partial<Record<Column, string>> = {};
  fields.forEach((value, i) => {
    const column = columns[i];
    if (column) out[column] = (TEXT_FIELDS as readonly string[]).includes(column) ? unneutraliseCell(value) : value;
    else if (columns === HEADERLESS && value !== '')
      throw new FieldError(`expected at most 3 columns (pdq, quality, label) without a header; got ${fields.length}`);
  });
  const type = out.signal_type?.trim().toLowerCase();
  if (type && !PDQ_SIGNAL_TYPES.has(type)) throw new FieldError(`signal_type ${JSON.stringify(out.signal_type)} is not PDQ; only PDQ hashes can be imported`);
  return out;
}

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV injection": `=`, `+`, `-`, `@`, tab,
 * carriage return first) gets one leading `'`, so opening an exported bank in Excel or Sheets
 * runs nothing. Cells that already start with quotes before such a character get one more, and
 * `unneutraliseCell` removes exactly one, so every label survives export and import unchanged.
 */
// The quote is written \x27 so that tools reading this file as text do not take it for a string opening.
const FORMULA_CELL = /^\x27*[=+\-@\t\r]/;

export function neutraliseCell(value: string): string {
  return FORMULA_CELL.test(value) ? `'${value}` : value;
}

export function unneutraliseCell(value: string): string {
  return value.startsWith("'") && FORMULA_CELL.test(value) ? value.slice(1) : value;
}

/** One field as CSV: neutralised, then quoted when it holds a comma, quote, line break or edge whitespace. */
export function csvField(value: string | number | null | undefined): string {
  if (value === undefined || value === null) return '';
  const s = neutraliseCell(String(value));
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One exported row, always as wide as `CSV_HEADER` (empty cells included) so every tool sees the same columns. */
export function csvLine(entry: HashEntryLike): string {
  return [entry.pdq, entry.quality, entry.sha256, ...TEXT_FIELDS.map((f) => entry[f])].map(csvField).join(',');
}
