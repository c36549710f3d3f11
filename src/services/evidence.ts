import { randomUUID } from 'node:crypto';

import { PerisaiError } from '../domain/errors.js';
import { type EvidenceKey, openEvidence, sealEvidence } from '../domain/evidence-cipher.js';
import type { EvidenceTable } from '../store/schema.js';
import type { Tx, UnitOfWork } from './unit-of-work.js';

const DAY_MS = 86_400_000;

export const EVIDENCE_SOURCES = ['report', 'screening'] as const;
export type EvidenceSource = (typeof EVIDENCE_SOURCES)[number];

/** An evidence item as operators see it: never the pixels. */
export interface EvidenceView {
  id: string;
  case_id: string | null;
  decision_id: string | null;
  source: string;
  sha256: string;
  bytes: number;
  key_id: string;
  created_at: string;
  retain_until: string;
  hold: { reason: string; by: string | null; at: string | null } | null;
  purged_at: string | null;
}

export interface EvidenceOptions {
  uow: UnitOfWork;
  /** Null when no evidence key is configured: then no pixels are kept at all. */
  key: EvidenceKey | null;
  /** Days an item is kept from when it was kept, and from when it was escalated. */
  retentionDays: number;
}

/**
 * Pixels kept only as evidence of child sexual abuse material: the image of a csam report, the
 * images of a screening the policy escalated. Each is sealed with AES-256-GCM under the key from
 * configuration before it reaches the store, kept until its retention passes (one year by
 * default, the US REPORT Act's preservation period) unless a legal hold stops the clock, then
 * purged: the ciphertext is deleted and the purge audited. Without a key nothing is kept, and the
 * report package says so.
 */
export class EvidenceService {
  constructor(private readonly options: EvidenceOptions) {}

  get enabled(): boolean {
    return this.options.key !== null;
  }

  get keyId(): string | null {
    return this.options.key?.id ?? null;
  }

  /**
   * Seals an image for keeping, outside any transaction (encryption takes time); the row is
   * written by `keep` or by the decision recorder. Returns null when no key is configured.
   */
  seal(source: EvidenceSource, bytes: Uint8Array, link: { caseId?: string | null; decisionId?: string | null }, at: string): EvidenceTable | null {
    const key = this.options.key;
    if (!key) return null;
    const id = `evd_${randomUUID().replaceAll('-', '')}`;
    const sealed = sealEvidence(key, id, bytes);
    return {
      id,
      case_id: link.caseId ?? null,
      decision_id: link.decisionId ?? null,
      source,
      sha256: sealed.sha256,
      bytes: bytes.byteLength,
      key_id: sealed.keyId,
      iv: sealed.iv,
      tag: sealed.tag,
      ciphertext: sealed.ciphertext,
      created_at: at,
      retain_until: this.retainFrom(at),
      hold_reason: null,
      hold_by: null,
      hold_at: null,
      purged_at: null,
    };
  }

  /** Writes sealed items in the caller's transaction, each with its audit entry. */
  async keep(tx: Tx, rows: EvidenceTable[], actor: string): Promise<void> {
    for (const row of rows) await tx.db.insertInto('evidence').values(row).execute();
    await tx.audit(
      rows.map((row) => ({
        kind: 'evidence.kept',
        subject: row.id,
        actor,
        payload: { case: row.case_id, decision: row.decision_id, sha256: row.sha256, bytes: row.bytes, key_id: row.key_id, retain_until: row.retain_until },
      })),
    );
  }

  /** The end of a retention period that starts at `at`. */
  retainFrom(at: string): string {
    return new Date(new Date(at).getTime() + this.options.retentionDays * DAY_MS).toISOString();
  }

  /** Items of a case or decision (either link), oldest first. */
  async linkedTo(link: { caseId?: string | null; decisionId?: string | null }, tx?: Tx): Promise<EvidenceView[]> {
    const db = tx?.db ?? this.options.uow.db;
    if (!link.caseId && !link.decisionId) return [];
    const rows = await db
      .selectFrom('evidence')
      .select(VIEW_COLUMNS)
      .where((eb) => eb.or([...(link.caseId ? [eb('case_id', '=', link.caseId)] : []), ...(link.decisionId ? [eb('decision_id', '=', link.decisionId)] : [])]))
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(view);
  }

  async list(filter: { caseId?: string | undefined; limit?: number } = {}): Promise<EvidenceView[]> {
    let query = this.options.uow.db.selectFrom('evidence').select(VIEW_COLUMNS);
    if (filter.caseId) query = query.where('case_id', '=', filter.caseId);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(Math.max(filter.limit ?? 100, 1), 1000))
      .execute();
    return rows.map(view);
  }

  async get(id: string): Promise<EvidenceView> {
    const row = await this.options.uow.db.selectFrom('evidence').select(VIEW_COLUMNS).where('id', '=', id).executeTakeFirst();
    if (!row) throw new PerisaiError('not_found', `No evidence has the id ${id}: list evidence (perisai evidence list) to see the ids.`);
    return view(row);
  }

  /** The pixels, decrypted: only for a person preparing a submission. */
  async read(id: string, actor: string): Promise<Buffer> {
    const key = this.options.key;
    const row = await this.options.uow.db.selectFrom('evidence').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new PerisaiError('not_found', `No evidence has the id ${id}: list evidence (perisai evidence list) to see the ids.`);
    if (row.purged_at !== null || !row.ciphertext || !row.iv || !row.tag) {
      throw new PerisaiError('conflict', `Evidence ${id} was purged at ${row.purged_at} after its retention: only its hash remains.`);
    }
    if (!key) {
      throw new PerisaiError(
        'evidence_unreadable',
        `No evidence key is configured, so evidence ${id} cannot be decrypted: set PERISAI_EVIDENCE_KEY or PERISAI_EVIDENCE_KEY_FILE to the key it was stored with (${row.key_id}).`,
      );
    }
    const plaintext = openEvidence(key, id, {
      iv: Buffer.from(row.iv),
      tag: Buffer.from(row.tag),
      ciphertext: Buffer.from(row.ciphertext),
      keyId: row.key_id,
      sha256: row.sha256,
    });
    // Who saw the pixels is itself evidence.
    await this.options.uow.run((tx) => tx.audit([{ kind: 'evidence.read', subject: id, actor, payload: { sha256: row.sha256 } }]));
    return plaintext;
  }

  /** A legal hold: the item is kept whatever its retention says, until released. */
  async hold(id: string, reason: string, actor: string): Promise<EvidenceView> {
    await this.options.uow.run(async (tx) => {
      const row = await this.find(tx, id);
      if (row.purged_at !== null) throw new PerisaiError('conflict', `Evidence ${id} was purged at ${row.purged_at}: there is nothing left to hold.`);
      await tx.db.updateTable('evidence').set({ hold_reason: reason, hold_by: actor, hold_at: tx.at }).where('id', '=', id).execute();
      await tx.audit([{ kind: 'evidence.hold', subject: id, actor, payload: { reason, retain_until: row.retain_until } }]);
    });
    return this.get(id);
  }

  /** Lifts a hold; an item whose retention has passed goes at the next purge. */
  async release(id: string, actor: string): Promise<EvidenceView> {
    await this.options.uow.run(async (tx) => {
      const row = await this.find(tx, id);
      if (row.hold_reason === null) throw new PerisaiError('conflict', `Evidence ${id} is not under a hold: there is nothing to release.`);
      await tx.db.updateTable('evidence').set({ hold_reason: null, hold_by: null, hold_at: null }).where('id', '=', id).execute();
      await tx.audit([{ kind: 'evidence.release', subject: id, actor, payload: { held_for: row.hold_reason, retain_until: row.retain_until } }]);
    });
    return this.get(id);
  }

  /** Keeps items at least a full retention period from `at` (an escalation restarts the clock). */
  async extend(tx: Tx, ids: string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    const until = this.retainFrom(at);
    await tx.db
      .updateTable('evidence')
      .set({ retain_until: until })
      .where('id', 'in', ids)
      .where('retain_until', '<', until)
      .where('purged_at', 'is', null)
      .execute();
  }

  /**
   * Deletes the pixels of every item whose retention has passed and that no hold keeps, in
   * batches, each with its audit entry. Safe on several instances at once: the update is
   * conditional, so each item is purged (and audited) once.
   */
  async purge(actor = 'retention'): Promise<{ purged: number }> {
    let purged = 0;
    for (;;) {
      const done = await this.options.uow.run(async (tx) => {
        const due = await tx.db
          .selectFrom('evidence')
          .select(['id', 'sha256', 'retain_until', 'created_at'])
          .where('purged_at', 'is', null)
          .where('hold_reason', 'is', null)
          .where('retain_until', '<=', tx.at)
          .orderBy('retain_until')
          .limit(100)
          .execute();
        let count = 0;
        for (const row of due) {
          const result = await tx.db
            .updateTable('evidence')
            .set({ iv: null, tag: null, ciphertext: null, purged_at: tx.at })
            .where('id', '=', row.id)
            .where('purged_at', 'is', null)
            .where('hold_reason', 'is', null)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) !== 1) continue;
          count += 1;
          await tx.audit([
            { kind: 'evidence.purged', subject: row.id, actor, payload: { sha256: row.sha256, kept_since: row.created_at, retain_until: row.retain_until } },
          ]);
        }
        return { count, more: due.length === 100 };
      });
      purged += done.count;
      if (!done.more) return { purged };
    }
  }

  private async find(tx: Tx, id: string) {
    const row = await tx.db.selectFrom('evidence').select(['id', 'purged_at', 'hold_reason', 'retain_until']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new PerisaiError('not_found', `No evidence has the id ${id}: list evidence (perisai evidence list) to see the ids.`);
    return row;
  }
}

const VIEW_COLUMNS = [
  'id',
  'case_id',
  'decision_id',
  'source',
  'sha256',
  'bytes',
  'key_id',
  'created_at',
  'retain_until',
  'hold_reason',
  'hold_by',
  'hold_at',
  'purged_at',
] as const;

type ViewRow = Pick<EvidenceTable, (typeof VIEW_COLUMNS)[number]>;

function view(row: ViewRow): EvidenceView {
  return {
    id: row.id,
    case_id: row.case_id,
    decision_id: row.decision_id,
    source: row.source,
    sha256: row.sha256,
    bytes: Number(row.bytes),
    key_id: row.key_id,
    created_at: row.created_at,
    retain_until: row.retain_until,
    hold: row.hold_reason === null ? null : { reason: row.hold_reason, by: row.hold_by, at: row.hold_at },
    purged_at: row.purged_at,
  };
}
