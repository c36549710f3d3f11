import { z } from 'zod';

import { PerisaiError } from '../domain/errors.js';
import { findLedgerByIds, findLedgerBySha256, type LedgerEntry } from '../store/repositories/ledger.js';
import type { Db } from '../store/store.js';
import { pdqDistanceSchema, pdqHex, sha256Hex } from './consent.js';
import type { HashIndexes } from './hash-indexes.js';

export const ledgerLookupSchema = z
  .strictObject({
    pdq: pdqHex.optional().describe('The PDQ hash of the circulating image (64 hexadecimal digits, as `perisai hash` prints it): finds near-duplicates.'),
    sha256: sha256Hex.optional().describe('The SHA-256 of the circulating image file (64 hexadecimal digits): finds exact copies.'),
    max_distance: pdqDistanceSchema.describe('With pdq: how many of the 256 bits may differ for a ledger entry to match, 0-63; default 31.'),
  })
  .refine((body) => body.pdq !== undefined || body.sha256 !== undefined, {
    message: 'needs "pdq" (64 hex digits, as `perisai hash` prints) or "sha256" of the circulating image',
  });

export type LedgerLookup = z.output<typeof ledgerLookupSchema>;

export interface LedgerMatch extends LedgerEntry {
  distance: number;
}

/** Traces a circulating image back to the screened output, request and account that produced it. */
export class LedgerService {
  constructor(
    private readonly db: Db,
    private readonly indexes: HashIndexes,
  ) {}

  lookup(query: LedgerLookup): Promise<LedgerMatch[]> {
    return lookupLedger(this.db, this.indexes, query);
  }
}

async function lookupLedger(db: Db, indexes: HashIndexes, query: LedgerLookup): Promise<LedgerMatch[]> {
  // Look-ups are rare and must see outputs recorded a moment ago, by this or another process.
  await indexes.refresh();
  const found = new Map<number, LedgerMatch>();
  if (query.sha256) for (const entry of await findLedgerBySha256(db, query.sha256)) found.set(entry.id, { ...entry, distance: 0 });
  if (query.pdq) {
    const hits = indexes.searchLedger(query.pdq, query.max_distance);
    const distance = new Map(hits.map((hit) => [hit.id, hit.distance]));
    for (const entry of await findLedgerByIds(db, [...distance.keys()])) {
      if (!found.has(entry.id)) found.set(entry.id, { ...entry, distance: distance.get(entry.id)! });
    }
  }
  if (query.pdq === undefined && query.sha256 === undefined) throw new PerisaiError('invalid_request', 'Give a pdq or sha256 to look up.');
  return [...found.values()].sort((a, b) => a.distance - b.distance || a.id - b.id);
}
