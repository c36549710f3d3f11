import { z } from 'zod';

import { firstNonHexIndex, isPdqHex, PDQ_HEX_LENGTH } from '../pdq/index.js';

/**
 * One hash of a hash list, the unit every format parses into and serialises from. Hex is always
 * lowercase; optional text fields are absent rather than empty.
 */
export interface HashEntry {
  pdq: string;
  quality: number;
  sha256?: string | undefined;
  label?: string | undefined;
  source?: string | undefined;
  category?: string | undefined;
  reason?: string | undefined;
}

/**
 * What the serialisers accept: a `HashEntry`, or a store row whose absent fields are `null`
 * (a `BankHashRow` passes as is; its other columns are ignored).
 */
export interface HashEntryLike {
  pdq: string;
  quality: number;
  sha256?: string | null | undefined;
  label?: string | null | undefined;
  source?: string | null | undefined;
  category?: string | null | undefined;
  reason?: string | null | undefined;
}

export const TEXT_FIELDS = ['label', 'source', 'category', 'reason'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
export const MAX_TEXT_LENGTH = 1000;

/**
 * One JSONL line. Shapes are checked here; the hash, quality and sha256 are then checked by the
 * same functions as the other formats, so every format reports a bad value in the same words.
 * Unknown keys are ignored (an exporter may add its own); `null` means absent.
 */
export const jsonlLineSchema = z.object({
  pdq: z.string({ error: 'pdq must be a string of 64 hexadecimal digits' }),
  quality: z.union([z.number(), z.string()], { error: 'quality must be an integer 0..100' }).nullish(),
  sha256: z.string({ error: 'sha256 must be a string' }).nullish(),
  label: z.string({ error: 'label must be a string' }).nullish(),
  source: z.string({ error: 'source must be a string' }).nullish(),
  category: z.string({ error: 'category must be a string' }).nullish(),
  reason: z.string({ error: 'reason must be a string' }).nullish(),
});
export type JsonlLine = z.infer<typeof jsonlLineSchema>;

/** A field-level problem; the parser adds the line number. */
export class FieldError extends Error {}

/** Lowercase hex of a PDQ hash, or a FieldError saying exactly what is wrong. */
export function checkPdq(raw: string): string {
  const s = raw.trim();
  if (isPdqHex(s)) return s.toLowerCase();
  // Invalid: say what is wrong, the length first, then the first character that is not hex.
  if (s.length === 0) throw new FieldError('the PDQ hash is missing');
  const bad = firstNonHexIndex(s);
  if (s.length !== PDQ_HEX_LENGTH) {
    throw new FieldError(
      `the PDQ hash has ${s.length} characters; expected 64 hexadecimal digits${bad >= 0 ? ` (and ${JSON.stringify(s[bad])} is not hexadecimal)` : ''}`,
    );
  }
  throw new FieldError(`the PDQ hash contains ${JSON.stringify(s[bad])} at position ${bad + 1}, which is not a hexadecimal digit`);
}

/** An integer 0..100 at or above `min`. */
export function checkQuality(raw: string | number, min: number): number {
  const s = typeof raw === 'number' ? String(raw) : raw.trim();
  if (!/^\d+$/.test(s)) throw new FieldError(`quality ${JSON.stringify(s)} is not an integer 0..100`);
  const q = Number(s);
  if (q > 100) throw new FieldError(`quality ${q} is out of range 0..100`);
  if (q < min) throw new FieldError(`quality ${q} is below the minimum of ${min}`);
  return q;
}

export function checkSha256(raw: string): string | undefined {
  const s = raw.trim();
  if (s === '') return undefined;
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw new FieldError(`sha256 ${JSON.stringify(s.slice(0, 80))} is not 64 hexadecimal digits`);
  return s.toLowerCase();
}

export function checkText(field: TextField, raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined || raw === '') return undefined;
  if (raw.length > MAX_TEXT_LENGTH) throw new FieldError(`${field} is ${raw.length} characters long; the limit is ${MAX_TEXT_LENGTH}`);
  return raw;
}

/** Names of the fields on which two entries for the same hash disagree. */
export function differingFields(a: HashEntry, b: HashEntry): string[] {
  const out: string[] = [];
  for (const key of ['quality', 'sha256', ...TEXT_FIELDS] as const) if (a[key] !== b[key]) out.push(key);
  return out;
}
