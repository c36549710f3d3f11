import { z } from 'zod';

import { PerisaiError } from '../domain/errors.js';
import type { BankMatchObservation } from '../domain/policy/derive-facts.js';
import { yieldToEventLoop } from '../match/hash-formats.js';
import {
  type BankHashInput,
  type BankHashRow,
  type BankRow,
  deleteBank,
  deleteBankHash,
  findBankByName,
  findBankHashesBySha256,
  findBanksByIds,
  insertBank,
  insertBankHashes,
  iterateBankHashes,
  listBanks,
  setBankActive,
} from '../store/repositories/banks.js';
import type { Db } from '../store/store.js';
import { BANK_PURPOSES } from './bank-purposes.js';
import { MIN_MATCH_QUALITY, pdqDistanceSchema } from './consent.js';
import type { HashIndexes } from './hash-indexes.js';
import type { MatchContext, Matcher, MatchResult } from './ports.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';

export { BANK_PURPOSES, type BankPurpose } from './bank-purposes.js';

export const bankNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be 1-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit')
  .describe('The bank\'s name: 1-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit.');

export const createBankSchema = z.strictObject({
  name: bankNameSchema,
  purpose: z
    .enum(BANK_PURPOSES)
    .describe(
      'What the bank holds; the policy\'s rules act on a match by purpose: "csam" (known child sexual abuse material), "ncii" (non-consensual intimate imagery), "takedown" (content removed by an earlier takedown), "review", "test".',
    ),
  description: z.string().max(500).optional().describe('Free text for people, at most 500 characters: where the hashes come from, who maintains them.'),
  min_quality: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(MIN_MATCH_QUALITY)
    .describe(`The lowest PDQ quality (0-100) a hash may have to be imported; default ${MIN_MATCH_QUALITY}.`),
  max_distance: pdqDistanceSchema.describe('How many of the 256 PDQ bits may differ for an image to match a hash of this bank, 0-63; default 31.'),
  active: z.boolean().default(true).describe('Whether screening matches against this bank; default true. An inactive bank keeps its hashes.'),
});
export type CreateBank = z.output<typeof createBankSchema>;

/** Rows inserted between two turns of the event loop during an import (a few milliseconds on SQLite). */
const IMPORT_BATCH = 200;

export interface ImportResult {
  bank: string;
  submitted: number;
  added: number;
  already_present: number;
}

export class BankService {
  constructor(private readonly uow: UnitOfWork) {}

  async create(input: CreateBank, actor: string, outer?: Tx): Promise<BankRow> {
    return this.uow.run(async (tx) => {
      if (await findBankByName(tx.db, input.name))
        throw new PerisaiError('conflict', `A bank named "${input.name}" already exists: choose another name or import into it.`);
      const row: Omit<BankRow, 'id'> = {
        name: input.name,
        purpose: input.purpose,
        description: input.description ?? null,
        active: input.active,
        minQuality: input.min_quality,
        maxDistance: input.max_distance,
        createdAt: tx.at,
        createdBy: actor,
      };
      const id = await insertBank(tx.db, row);
      tx.indexChanged([{ indexName: 'bank', op: 'reload', rowId: id }]);
      await tx.audit([
        {
          kind: 'bank_created',
          subject: `bank:${input.name}`,
          actor,
          payload: { purpose: input.purpose, min_quality: input.min_quality, max_distance: input.max_distance },
        },
      ]);
      return { id, ...row };
    }, outer);
  }

  list(): Promise<Array<BankRow & { hashes: number }>> {
    return listBanks(this.uow.db);
  }

  async get(name: string, db: Db = this.uow.db): Promise<BankRow> {
    const bank = await findBankByName(db, name);
    if (!bank) throw new PerisaiError('not_found', `There is no bank named "${name}": list the banks and check the name.`);
    return bank;
  }

  /**
   * Adds hashes in one transaction: either all valid entries land or none do. Entries the bank
   * already holds are skipped, so re-importing the same file changes nothing.
   */
  async import(name: string, entries: BankHashInput[], actor: string, outer?: Tx): Promise<ImportResult> {
    return this.uow.run(async (tx) => {
      const bank = await this.get(name, tx.db);
      const low = entries.findIndex((entry) => entry.quality < bank.minQuality);
      if (low >= 0) {
        throw new PerisaiError(
          'invalid_hashes',
          `Entry ${low + 1} has quality ${entries[low]!.quality}, below the bank's minimum of ${bank.minQuality}: drop it or lower the bank's min_quality.`,
        );
      }
      // In batches with a turn of the event loop between them: on SQLite every statement runs
      // synchronously, so one 200,000-row insert would hold up every other request for seconds.
      // Still one transaction: an error in any batch rolls back them all.
      const ids: number[] = [];
      for (let i = 0; i < entries.length; i += IMPORT_BATCH) {
        for (const id of await insertBankHashes(tx.db, bank.id, entries.slice(i, i + IMPORT_BATCH), tx.at, actor)) ids.push(id);
        if (i + IMPORT_BATCH < entries.length) await yieldToEventLoop();
      }
      // A bulk import is replayed as one bank reload rather than a change row per hash.
      tx.indexChanged(
        ids.length > 1000
          ? [{ indexName: 'bank', op: 'reload', rowId: bank.id }]
          : ids.map((rowId) => ({ indexName: 'bank' as const, op: 'upsert' as const, rowId })),
      );
      await tx.audit([{ kind: 'bank_hashes_added', subject: `bank:${name}`, actor, payload: { submitted: entries.length, added: ids.length } }]);
      return { bank: name, submitted: entries.length, added: ids.length, already_present: entries.length - ids.length };
    }, outer);
  }

  async remove(name: string, pdq: string, actor: string, outer?: Tx): Promise<void> {
    await this.uow.run(async (tx) => {
      const bank = await this.get(name, tx.db);
      const id = await deleteBankHash(tx.db, bank.id, pdq);
      if (id === undefined) throw new PerisaiError('not_found', `Bank "${name}" holds no hash ${pdq}.`);
      tx.indexChanged([{ indexName: 'bank', op: 'delete', rowId: id }]);
      await tx.audit([{ kind: 'bank_hash_removed', subject: `bank:${name}`, actor, payload: { pdq } }]);
    }, outer);
  }

  async setActive(name: string, active: boolean, actor: string, outer?: Tx): Promise<BankRow> {
    return this.uow.run(async (tx) => {
      const bank = await this.get(name, tx.db);
      await setBankActive(tx.db, bank.id, active);
      tx.indexChanged([{ indexName: 'bank', op: 'reload', rowId: bank.id }]);
      await tx.audit([{ kind: active ? 'bank_activated' : 'bank_deactivated', subject: `bank:${name}`, actor, payload: {} }]);
      return { ...bank, active };
    }, outer);
  }

  async delete(name: string, actor: string, outer?: Tx): Promise<void> {
    await this.uow.run(async (tx) => {
      const bank = await this.get(name, tx.db);
      await deleteBank(tx.db, bank.id);
      tx.indexChanged([{ indexName: 'bank', op: 'reload', rowId: bank.id }]);
      await tx.audit([{ kind: 'bank_deleted', subject: `bank:${name}`, actor, payload: {} }]);
    }, outer);
  }

  async *export(name: string): AsyncGenerator<BankHashRow> {
    const bank = await this.get(name);
    yield* iterateBankHashes(this.uow.db, bank.id);
  }
}

/** Matches every image against every active bank: PDQ within the bank's distance, or the exact SHA-256. */
export class BankMatcher implements Matcher {
  readonly name = 'banks';

  constructor(
    private readonly db: Db,
    private readonly indexes: HashIndexes,
  ) {}

  async match(context: MatchContext): Promise<Partial<MatchResult>> {
    const matches: BankMatchObservation[] = [];
    const seen = new Set<string>();
    const add = (bank: BankRow, distance: number, pdq: string): void => {
      const key = `${bank.id}:${pdq}`;
      if (seen.has(key)) return;
      seen.add(key);
      matches.push({ bank: bank.name, purpose: bank.purpose, distance, pdq });
    };
    for (const image of context.images) {
      if (!image.pdq || image.pdq.quality < MIN_MATCH_QUALITY) continue;
      for (const hit of this.indexes.searchBanks(image.pdq.hash)) add(hit.bank, hit.distance, image.pdq.hash);
    }
    const exact = await findBankHashesBySha256(
      this.db,
      context.images.map((image) => image.sha256),
    );
    if (exact.length > 0) {
      const banks = new Map((await findBanksByIds(this.db, [...new Set(exact.map((row) => row.bankId))])).map((bank) => [bank.id, bank]));
      for (const row of exact) {
        const bank = banks.get(row.bankId);
        if (bank?.active) add(bank, 0, row.pdq);
      }
    }
    return { bankMatches: matches };
  }
}

export type { BankRow };
