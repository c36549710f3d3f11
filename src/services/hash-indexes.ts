import { PerisaiError } from '../domain/errors.js';
import { yieldToEventLoop } from '../match/hash-formats.js';
import { PdqIndex, type PdqIndexOptions } from '../match/mih-index.js';
import { pdqFromHex } from '../pdq/index.js';
import { type BankRow, findBanksByIds, iterateActiveBankHashes, iterateActiveBankHashesOf } from '../store/repositories/banks.js';
import { inChunks } from '../store/repositories/chunked.js';
import { findProtectedHashesByIds } from '../store/repositories/consent.js';
import { type IndexChange, lastIndexChange, listIndexChanges, prunedThrough } from '../store/repositories/index-changes.js';
import { iterateLedgerHashes } from '../store/repositories/ledger.js';
import type { Db } from '../store/store.js';

export interface IndexHit {
  id: number;
  distance: number;
}

/** Protected photos match within this Hamming distance: re-uploads, screenshots, re-encodes. */
export const PROTECTED_MAX_DISTANCE = 31;

/**
 * Large indexes fold their adds in on a worker thread, so a rebuild never holds up the requests
 * this process is serving (small ones rebuild in place, in milliseconds). docs/index.md, "Scale".
 */
const INDEX_OPTIONS: PdqIndexOptions = { rebuild: 'background' };

/** Hashes a bank reload handles between two turns of the event loop (one store page). */
const RELOAD_SLICE = 5000;
/** A reload that adds this many hashes rebuilds the tables on a worker thread at once. */
const BACKGROUND_REBUILD_MIN = 20_000;

/**
 * The in-memory PDQ indexes of one process, kept in step with the store. Built from the store at
 * start; every write anywhere (this process, the CLI, another instance on the same database)
 * leaves a row in `index_changes`, which `refresh` replays. This process's own writes call
 * `refresh` before answering, so a deletion takes effect at once; others' within one poll.
 */
export class HashIndexes {
  private protectedIndex = new PdqIndex(INDEX_OPTIONS);
  private bankIndex = new PdqIndex(INDEX_OPTIONS);
  private ledgerIndex = new PdqIndex(INDEX_OPTIONS);
  /** The ledger is append-only: it is followed by id rather than through the change log. */
  private ledgerLastId = 0;
  /** Bank hash row id → bank id. */
  private bankOf = new Map<number, number>();
  private banks = new Map<number, BankRow>();
  private lastSeq = 0;
  /** Full reloads after the change log was pruned past this process (for tests and metrics). */
  reloads = 0;
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Db) {}

  /** Loads everything; call once before serving. */
  async load(): Promise<void> {
    const seq = await lastIndexChange(this.db);
    const protectedEntries: Array<[number, Uint8Array]> = [];
    const rows = await this.db.selectFrom('protected_hashes').select(['id', 'pdq']).execute();
    for (const row of rows) protectedEntries.push([Number(row.id), pdqFromHex(row.pdq)]);
    this.protectedIndex = PdqIndex.build(protectedEntries, INDEX_OPTIONS);

    const bankEntries: Array<[number, Uint8Array]> = [];
    this.bankOf = new Map();
    for await (const row of iterateActiveBankHashes(this.db)) {
      bankEntries.push([row.id, pdqFromHex(row.pdq)]);
      this.bankOf.set(row.id, row.bankId);
    }
    this.bankIndex = PdqIndex.build(bankEntries, INDEX_OPTIONS);
    await this.reloadBankMetadata();

    const ledgerEntries: Array<[number, Uint8Array]> = [];
    for await (const row of iterateLedgerHashes(this.db)) ledgerEntries.push([row.id, pdqFromHex(row.pdq)]);
    this.ledgerIndex = PdqIndex.build(ledgerEntries, INDEX_OPTIONS);
    this.ledgerLastId = ledgerEntries.reduce((max, [id]) => Math.max(max, id), 0);
    this.lastSeq = seq;
  }

  /** Polls for changes made by other processes. */
  startPolling(onError: (error: unknown) => void, intervalMs = 250): void {
    this.timer ??= setInterval(() => void this.refresh().catch(onError), intervalMs);
    this.timer.unref();
  }

  stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Applies every change recorded since the last refresh. Concurrent callers share one pass. */
  refresh(): Promise<void> {
    this.refreshing ??= this.applyChanges().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  get sizes(): { protected: number; bank: number; ledger: number } {
    return { protected: this.protectedIndex.size, bank: this.bankIndex.size, ledger: this.ledgerIndex.size };
  }

  /** Screened outputs near `pdq`, for tracing a circulating image back to the request that made it. */
  searchLedger(pdq: string, maxDistance = PROTECTED_MAX_DISTANCE): IndexHit[] {
    return this.ledgerIndex.search(toBytes(pdq), maxDistance);
  }

  searchProtected(pdq: string, maxDistance = PROTECTED_MAX_DISTANCE): IndexHit[] {
    return this.protectedIndex.search(toBytes(pdq), maxDistance);
  }

  /** Hits in active banks, each within its bank's own threshold. */
  searchBanks(pdq: string): Array<IndexHit & { bank: BankRow }> {
    let widest = -1;
    for (const bank of this.banks.values()) if (bank.active && bank.maxDistance > widest) widest = bank.maxDistance;
    if (widest < 0) return [];
    const hits: Array<IndexHit & { bank: BankRow }> = [];
    for (const hit of this.bankIndex.search(toBytes(pdq), widest)) {
      const bank = this.banks.get(this.bankOf.get(hit.id) ?? -1);
      if (bank?.active && hit.distance <= bank.maxDistance) hits.push({ ...hit, bank });
    }
    return hits;
  }

  private async applyChanges(): Promise<void> {
    for await (const row of iterateLedgerHashes(this.db, this.ledgerLastId)) {
      this.ledgerIndex.add(row.id, pdqFromHex(row.pdq));
      this.ledgerLastId = row.id;
    }
    for (;;) {
      const changes = await listIndexChanges(this.db, this.lastSeq);
      // Read after the changes: pruning that ran in between shows here, never as a silent gap.
      if (this.lastSeq < (await prunedThrough(this.db))) {
        // Changes this process never saw were pruned (it was behind by more than the retention):
        // replaying the rest would miss them, a deletion above all, so start again from the tables.
        await this.load();
        this.reloads += 1;
        return;
      }
      if (changes.length === 0) return;
      const bankReloads = new Set<number>();
      for (const change of changes) {
        if (change.indexName === 'bank' && change.op === 'reload') bankReloads.add(change.rowId);
      }
      await this.applyRowChanges(changes.filter((c) => c.op !== 'reload'));
      for (const bankId of bankReloads) await this.reloadBank(bankId);
      if (bankReloads.size > 0) await this.reloadBankMetadata();
      this.lastSeq = changes[changes.length - 1]!.seq;
    }
  }

  private async applyRowChanges(changes: IndexChange[]): Promise<void> {
    const protectedIds = changes.filter((c) => c.indexName === 'protected').map((c) => c.rowId);
    const bankIds = changes.filter((c) => c.indexName === 'bank').map((c) => c.rowId);
    // Re-read the rows rather than trusting the op: the row's current state is the truth.
    if (protectedIds.length > 0) {
      const present = new Map((await findProtectedHashesByIds(this.db, protectedIds)).map((row) => [row.id, row.pdq]));
      for (const id of protectedIds) {
        this.protectedIndex.remove(id);
        const pdq = present.get(id);
        if (pdq) this.protectedIndex.add(id, pdqFromHex(pdq));
      }
    }
    if (bankIds.length > 0) {
      const rows = await inChunks(bankIds, (chunk) =>
        this.db
          .selectFrom('bank_hashes')
          .innerJoin('banks', 'banks.id', 'bank_hashes.bank_id')
          .select(['bank_hashes.id', 'bank_hashes.bank_id', 'bank_hashes.pdq', 'banks.active'])
          .where('bank_hashes.id', 'in', chunk)
          .execute(),
      );
      const present = new Map(rows.filter((row) => Boolean(row.active)).map((row) => [Number(row.id), row]));
      for (const id of bankIds) {
        this.bankIndex.remove(id);
        this.bankOf.delete(id);
        const row = present.get(id);
        if (row) {
          this.bankIndex.add(id, pdqFromHex(row.pdq));
          this.bankOf.set(id, Number(row.bank_id));
        }
      }
      await this.reloadBankMetadata();
    }
  }

  /**
   * Replaces a bank's hashes in the index with the store's (after a bulk import, a bank
   * (de)activated or deleted). Done a slice at a time with a turn of the event loop between
   * slices, and the tables rebuilt on a worker thread, so reloading a bank of hundreds of
   * thousands of hashes does not stall the requests this process is serving. Searches meanwhile
   * see the bank partly loaded, as they would while the pages arrive from PostgreSQL.
   */
  private async reloadBank(bankId: number): Promise<void> {
    let visited = 0;
    for (const [id, owner] of this.bankOf) {
      if (owner === bankId) {
        this.bankIndex.remove(id);
        this.bankOf.delete(id);
      }
      if (++visited % RELOAD_SLICE === 0) await yieldToEventLoop();
    }
    let added = 0;
    for await (const row of iterateActiveBankHashesOf(this.db, bankId, RELOAD_SLICE)) {
      this.bankIndex.add(row.id, pdqFromHex(row.pdq));
      this.bankOf.set(row.id, row.bankId);
      if (++added % RELOAD_SLICE === 0) await yieldToEventLoop();
    }
    // Fold the adds into the tables off the event loop; otherwise the next search would rebuild
    // them there and then (tens of milliseconds at 200,000 hashes). Should the worker fail, that
    // synchronous rebuild is still what happens, so a failure here costs nothing but time.
    if (added >= BACKGROUND_REBUILD_MIN) await this.bankIndex.rebuildInBackground().catch(() => undefined);
  }

  private async reloadBankMetadata(): Promise<void> {
    const rows = await this.db.selectFrom('banks').select('id').execute();
    this.banks = new Map(
      (
        await findBanksByIds(
          this.db,
          rows.map((row) => Number(row.id)),
        )
      ).map((bank) => [bank.id, bank]),
    );
  }
}

function toBytes(pdq: string): Uint8Array {
  try {
    return pdqFromHex(pdq);
  } catch {
    throw new PerisaiError('invalid_pdq', `"${pdq}" is not a PDQ hash: give 64 hexadecimal digits.`);
  }
}
