import { PerisaiError } from '../domain/errors.js';
import { type HashEntry, type HashListFormat, hashListLinesAsync, parseHashListInSlices } from '../match/hash-formats.js';
import type { BankHashInput, BankHashRow } from '../store/repositories/banks.js';

export type { HashListFormat } from '../match/hash-formats.js';

/**
 * Parses a hash list for a bank import, or throws one error that lists each bad line. Nothing
 * is imported from a list with any error: the caller's transaction never starts. Parsed a slice
 * at a time, yielding between slices, so a large list does not stall the process's other requests.
 */
export async function parseHashListOrThrow(
  text: string,
  options: { format?: HashListFormat | undefined; minQuality: number; source?: string },
): Promise<BankHashInput[]> {
  const result = await parseHashListInSlices(text, { format: options.format, minQuality: options.minQuality });
  if (!result.ok) {
    const where = options.source ?? 'the list';
    const lines = result.errors.map((error) => (error.line > 0 ? `  line ${error.line}: ${error.message}` : `  ${error.message}`));
    const more = result.truncated ? '\n  (more errors not shown)' : '';
    throw new PerisaiError(
      'invalid_hashes',
      `Nothing was imported: ${where} has ${result.errors.length}${result.truncated ? '+' : ''} problem(s)${result.format ? ` (read as ${result.format})` : ''}:\n${lines.join('\n')}${more}`,
      {
        errors: result.errors,
      },
    );
  }
  if (result.entries.length === 0) throw new PerisaiError('invalid_hashes', `Nothing was imported: ${options.source ?? 'the list'} holds no hashes.`);
  return result.entries.map(toBankHash);
}

/** Serialises a bank's rows in one of the exchange formats, one hash a line (CSV with its header first). */
export function exportLines(rows: AsyncIterable<BankHashRow>, format: HashListFormat): AsyncGenerator<string> {
  return hashListLinesAsync(toEntries(rows), format);
}

async function* toEntries(rows: AsyncIterable<BankHashRow>): AsyncGenerator<HashEntry> {
  for await (const row of rows) {
    yield {
      pdq: row.pdq,
      quality: row.quality,
      ...(row.sha256 ? { sha256: row.sha256 } : {}),
      ...(row.label ? { label: row.label } : {}),
      ...(row.source ? { source: row.source } : {}),
      ...(row.category ? { category: row.category } : {}),
      ...(row.reason ? { reason: row.reason } : {}),
    };
  }
}

function toBankHash(entry: HashEntry): BankHashInput {
  return {
    pdq: entry.pdq,
    quality: entry.quality,
    sha256: entry.sha256 ?? null,
    label: entry.label ?? null,
    source: entry.source ?? null,
    category: entry.category ?? null,
    reason: entry.reason ?? null,
  };
}
