import type { DecisionRecord } from '../../domain/decision-record.js';
import type { Db } from '../db.js';
import type { DecisionTable } from '../schema.js';
import { inChunks } from './chunked.js';

export async function insertDecisions(trx: Db, records: DecisionRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 50) {
    await trx
      .insertInto('decisions')
      .values(records.slice(i, i + 50).map(toRow))
      .execute();
  }
}

export async function findDecision(db: Db, id: string): Promise<DecisionRecord | undefined> {
  const row = await db.selectFrom('decisions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? decisionFromRow(row) : undefined;
}

/** The decisions with these ids (those that exist). */
export async function findDecisions(db: Db, ids: string[]): Promise<Map<string, DecisionRecord>> {
  const rows = await inChunks(ids, (chunk) => db.selectFrom('decisions').selectAll().where('id', 'in', chunk).execute());
  return new Map(rows.map((row) => [row.id, decisionFromRow(row)]));
}

/**
 * Decisions with this outcome, newest first, after the keyset `before` (created_at, id) of the
 * previous page; read through the (decision, created_at, id) index.
 */
export async function listDecisionsByOutcome(
  db: Db,
  outcome: string,
  before: { createdAt: string; id: string } | undefined,
  limit: number,
): Promise<DecisionRecord[]> {
  let query = db.selectFrom('decisions').selectAll().where('decision', '=', outcome);
  if (before) {
    query = query.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(decisionFromRow);
}

function toRow(record: DecisionRecord): DecisionTable {
  return {
    id: record.id,
    created_at: record.createdAt,
    stage: record.stage,
    decision: record.decision,
    categories: JSON.stringify(record.categories),
    reasons: JSON.stringify(record.reasons),
    actions: JSON.stringify(record.actions),
    signals: JSON.stringify(record.signals),
    policy_version: record.policyVersion,
    prompt: record.prompt,
    subject: record.subject,
    requester_id: record.requester?.id ?? null,
    requester_country: record.requester?.country ?? null,
    jurisdiction: record.jurisdiction,
    request_id: record.requestId,
    duration_ms: record.durationMs,
  };
}

export function decisionFromRow(row: DecisionTable): DecisionRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    stage: row.stage as DecisionRecord['stage'],
    decision: row.decision as DecisionRecord['decision'],
    categories: JSON.parse(row.categories) as DecisionRecord['categories'],
    reasons: JSON.parse(row.reasons) as DecisionRecord['reasons'],
    actions: JSON.parse(row.actions) as DecisionRecord['actions'],
    signals: JSON.parse(row.signals) as DecisionRecord['signals'],
    policyVersion: row.policy_version,
    prompt: row.prompt,
    subject: row.subject as DecisionRecord['subject'],
    requester: row.requester_id === null ? null : { id: row.requester_id, ...(row.requester_country ? { country: row.requester_country } : {}) },
    jurisdiction: row.jurisdiction,
    requestId: row.request_id,
    durationMs: Number(row.duration_ms),
  };
}
