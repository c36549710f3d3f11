import { sql } from 'kysely';

import { AuditChainVerifier, type AuditEntry, type AuditHead, type AuditVerification, sealAuditEntry } from '../../domain/audit-chain.js';
import { canonicalJson, type JsonValue } from '../../domain/canonical-json.js';
import type { Db, DialectName } from '../db.js';

export interface NewAuditEntry {
  kind: string;
  subject: string;
  actor: string;
  payload: JsonValue;
  createdAt: string;
}

/**
 * Appends entries to the hash chain. Call inside a store transaction: the head row is read
 * with a row lock on PostgreSQL so appends from several instances serialise; SQLite's write
 * lock already does.
 */
export async function appendAudit(trx: Db, dialect: DialectName, entries: NewAuditEntry[]): Promise<AuditEntry[]> {
  if (entries.length === 0) return [];
  const headQuery = trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
  const head = await (dialect === 'postgres' ? headQuery.forUpdate() : headQuery).executeTakeFirstOrThrow();
  let seq = head.seq;
  let prevHash = head.hash;
  const sealed: AuditEntry[] = [];
  for (const entry of entries) {
    seq += 1;
    const payload = JSON.parse(canonicalJson(entry.payload)) as JsonValue;
    const item = sealAuditEntry({ seq, createdAt: entry.createdAt, kind: entry.kind, subject: entry.subject, actor: entry.actor, payload }, prevHash);
    sealed.push(item);
    prevHash = item.hash;
  }
  // Chunked so a large batch stays under SQLite's bound-parameter limit.
  for (let i = 0; i < sealed.length; i += 100) {
    await trx
      .insertInto('audit_log')
      .values(
        sealed.slice(i, i + 100).map((e) => ({
          seq: e.seq,
          created_at: e.createdAt,
          kind: e.kind,
          subject: e.subject,
          actor: e.actor,
          payload: canonicalJson(e.payload),
          prev_hash: e.prevHash,
          hash: e.hash,
        })),
      )
      .execute();
  }
  await trx.updateTable('audit_head').set({ seq, hash: prevHash }).where('id', '=', 1).execute();
  return sealed;
}

/** Walks the whole chain in pages of `pageSize` and reports the first broken entry, if any. */
export async function verifyAuditLog(db: Db, pageSize = 5000): Promise<AuditVerification> {
  const verifier = new AuditChainVerifier();
  for await (const page of auditPages(db, 0, pageSize)) {
    for (const entry of page) if (!verifier.push(entry)) return verifier.finish(undefined);
  }
  return verifier.finish(await readAuditHead(db));
}

/** The entries after `after`, `pageSize` at a time, in chain order. */
export async function* auditPages(db: Db, after: number, pageSize: number): AsyncGenerator<AuditEntry[]> {
  let cursor = after;
  for (;;) {
    const page = await readAuditEntries(db, cursor, pageSize);
    if (page.length === 0) return;
    yield page;
    cursor = page[page.length - 1]!.seq;
  }
}

export async function readAuditEntries(db: Db, after: number, limit: number): Promise<AuditEntry[]> {
  const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(limit).execute();
  return rows.map(rowToEntry);
}

/** The entries about one subject (a case, a user), oldest first, through the (subject, seq) index. */
export async function auditEntriesOf(db: Db, subject: string, limit: number): Promise<AuditEntry[]> {
  const rows = await db.selectFrom('audit_log').selectAll().where('subject', '=', subject).orderBy('seq').limit(limit).execute();
  return rows.map(rowToEntry);
}

export async function findAuditEntry(db: Db, seq: number): Promise<AuditEntry | undefined> {
  const row = await db.selectFrom('audit_log').selectAll().where('seq', '=', seq).executeTakeFirst();
  return row ? rowToEntry(row) : undefined;
}

/**
 * The actor of a recorded decision: the API key (or `cli`) that asked for it, as its chain entry
 * says. Read from the chain rather than the decision row, so the answer is tamper-evident.
 */
export async function findDecisionActor(db: Db, decisionId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('audit_log')
    .select('actor')
    .where('subject', '=', decisionId)
    .where('kind', '=', 'decision')
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  return row?.actor;
}

/** The head row: the last entry's seq and hash, updated in the same transaction as every append. */
export async function readAuditHead(db: Db): Promise<AuditHead | undefined> {
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  return head ? { seq: Number(head.seq), hash: head.hash } : undefined;
}

export async function countAuditEntries(db: Db): Promise<number> {
  const row = await db
    .selectFrom('audit_log')
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function rowToEntry(row: {
  seq: number;
  created_at: string;
  kind: string;
  subject: string;
  actor: string;
  payload: string;
  prev_hash: string;
  hash: string;
}): AuditEntry {
  return {
    seq: Number(row.seq),
    createdAt: row.created_at,
    kind: row.kind,
    subject: row.subject,
    actor: row.actor,
    payload: JSON.parse(row.payload) as JsonValue,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
