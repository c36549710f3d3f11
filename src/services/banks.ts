import { z } from 'zod';
import type { BankMatchObservation } from '../domain/policy/derive-facts.js';
import { PerisaiError } from '../domain/errors.js';
import { appendAudit } from '../store/repositories/audit-log.js';
import {
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
  type BankHashInput,
  type BankHashRow,
  type BankRow,
} from '../store/repositories/banks.js';
import { lockIndexChanges, recordIndexChanges } from '../store/repositories/index-changes.js';
import type { Store } from '../store/store.js';
import { MIN_MATCH_QUALITY } from './consent.js';
import type { HashIndexes } from './hash-indexes.js';
import type { MatchContext, Matcher, MatchResult } from './ports.js';

/**
 * What a bank is for; the policy decides per purpose (block and escalate known abuse, block
 * intimate imagery and takedowns, review the rest). Fixed so a typo cannot create a bank no rule acts on.
 */
export const BANK_PURPOSES = ['csam', 'ncii', 'takedown', 'review', 'test'] as const;
export type BankPurpose = (typeof BANK_PURPOSES)[number];

export const bankNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be 1-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');

export const createBankSchema = z.strictObject({
  name: bankNameSchema,
  purpose: z.enum(BANK_PURPOSES),
  description: z.string().max(500).optional(),
  min_quality: z.number().int().min(0).max(100).default(MIN_MATCH_QUALITY),
  max_distance: z.number().int().min(0).max(63).default(31),
  active: z.boolean().default(true),
});
export type CreateBank = z.output<typeof createBankSchema>;

export interface ImportResult {
  bank: string;
  submitted: number;
  added: number;
  already_present: number;
}

export class BankService {
  constructor(private readonly store: Store, private readonly indexes: HashIndexes) {}

  async create(input: CreateBank, actor: string): Promise<BankRow> {
    if (await findBankByName(this.store.db, input.name)) throw new PerisaiError('conflict', `A bank named "${input.name}" already exists: choose another name or import into it.`);
    const row: Omit<BankRow, 'id'> = {
      name: input.name,
      purpose: input.purpose,
      description: input.description ?? null,
      active: input.active,
      minQuality: input.min_quality,
      maxDistance: input.max_distance,
      createdAt: new Date().toISOString(),
      createdBy: actor,
    };
    const id = await this.store.transaction(async (trx) => {
      await lockIndexChanges(trx, this.store.dialect);
      const bankId = await insertBank(trx, row);
      await recordIndexChanges(trx, [{ indexName: 'bank', op: 'reload', rowId: bankId }], row.createdAt);
      await appendAudit(trx, this.store.dialect, [{ kind: 'bank_created', subject: `bank:${input.name}`, actor, payload: { purpose: input.purpose, min_quality: input.min_quality, max_distance: input.max_distance } }]);
      return bankId;
    });
    await this.indexes.refresh();
    return { id, ...row };
  }

  list(): Promise<Array<BankRow & { hashes: number }>> {
    return listBanks(this.store.db);
  }

  async get(name: string): Promise<BankRow> {
    const bank = await findBankByName(this.store.db, name);
    if (!bank) throw new PerisaiError('not_found', `There is no bank named "${name}": list banks with \`perisai bank list\` or GET /v1/banks.`);
    return bank;
  }

  /**
   * Adds hashes in one transaction: either all valid entries land or none do. Entries the bank
   * already holds are skipped, so re-importing the same file changes nothing.
   */
  async import(name: string, entries: BankHashInput[], actor: string): Promise<ImportResult> {
    const bank = await this.get(name);
    const low = entries.findIndex((entry) => entry.quality < bank.minQuality);
    if (low >= 0) {
      throw new PerisaiError('invalid_hashes', `Entry ${low + 1} has quality ${entries[low]!.quality}, below the bank's minimum of ${bank.minQuality}: drop it or lower the bank's min_quality.`);
    }
    const at = new Date().toISOString();
    const added = await this.store.transaction(async (trx) => {
      await lockIndexChanges(trx, this.store.dialect);
      const ids = await insertBankHashes(trx, bank.id, entries, at, actor);
      // A bulk import is replayed as one bank reload rather than a change row per hash.
      const changes = ids.length > 1000 ? [{ indexName: 'bank' as const, op: 'reload' as const, rowId: bank.id }] : ids.map((rowId) => ({ indexName: 'bank' as const, op: 'upsert' as const, rowId }));
      await recordIndexChanges(trx, changes, at);
      await appendAudit(trx, this.store.dialect, [{ kind: 'bank_hashes_added', subject: `bank:${name}`, actor, payload: { submitted: entries.length, added: ids.length } }]);
      return ids.length;
    });
    await this.indexes.refresh();
    return { bank: name, submitted: entries.length, added, already_present: entries.length - added };
  }

  async remove(name: string, pdq: string, actor: string): Promise<void> {
    const bank = await this.get(name);
    const at = new Date().toISOString();
    const removed = await this.store.transaction(async (trx) => {
      await lockIndexChanges(trx, this.store.dialect);
      const id = await deleteBankHash(trx, bank.id, pdq);
      if (id === undefined) return false;
      await recordIndexChanges(trx, [{ indexName: 'bank', op: 'delete', rowId: id }], at);
      await appendAudit(trx, this.store.dialect, [{ kind: 'bank_hash_removed', subject: `bank:${name}`, actor, payload: { pdq } }]);
      return true;
    });
    if (!removed) throw new PerisaiError('not_found', `Bank "${name}" holds no hash ${pdq}.`);
    await this.indexes.refresh();
  }

  async setActive(name: string, active: boolean, actor: string): Promise<BankRow> {
    const bank = await this.get(name);
    await this.store.transaction(async (trx) => {
      await lockIndexChanges(trx, this.store.dialect);
      await setBankActive(trx, bank.id, active);
      await recordIndexChanges(trx, [{ indexName: 'bank', op: 'reload', rowId: bank.id }], new Date().toISOString());
      await appendAudit(trx, this.store.dialect, [{ kind: active ? 'bank_activated' : 'bank_deactivated', subject: `bank:${name}`, actor, payload: {} }]);
    });
    await this.indexes.refresh();
    return { ...bank, active };
  }

  async delete(name: string, actor: string): Promise<void> {
    const bank = await this.get(name);
    await this.store.transaction(async (trx) => {
      await lockIndexChanges(trx, this.store.dialect);
      await deleteBank(trx, bank.id);
      await recordIndexChanges(trx, [{ indexName: 'bank', op: 'reload', rowId: bank.id }], new Date().toISOString());
      await appendAudit(trx, this.store.dialect, [{ kind: 'bank_deleted', subject: `bank:${name}`, actor, payload: {} }]);
    });
    await this.indexes.refresh();
  }

  async *export(name: string): AsyncGenerator<BankHashRow> {
    const bank = await this.get(name);
    yield* iterateBankHashes(this.store.db, bank.id);
  }
}

/** Matches every image against every active bank: PDQ within the bank's distance, or the exact SHA-256. */
export class BankMatcher implements Matcher {
  readonly name = 'banks';

  constructor(private readonly store: Store, private readonly indexes: HashIndexes) {}

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
    const exact = await findBankHashesBySha256(this.store.db, context.images.map((image) => image.sha256));
    if (exact.length > 0) {
      const banks = new Map((await findBanksByIds(this.store.db, [...new Set(exact.map((row) => row.bankId))])).map((bank) => [bank.id, bank]));
      for (const row of exact) {
        const bank = banks.get(row.bankId);
        if (bank?.active) add(bank, 0, row.pdq);
      }
    }
    return { bankMatches: matches };
  }
}

export type { BankRow };
