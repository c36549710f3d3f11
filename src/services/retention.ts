import { redactDecisionRecord } from '../domain/redaction.js';
import { decisionFromRow } from '../store/repositories/decisions.js';
import type { EvidenceService } from './evidence.js';
import type { UnitOfWork } from './unit-of-work.js';

const DAY_MS = 86_400_000;
const BATCH = 200;

export interface RetentionOptions {
  uow: UnitOfWork;
  evidence: EvidenceService;
  /** Days a decision keeps its prompt and evidence text; 0 keeps them for ever. */
  promptRetentionDays: number;
}

export interface RetentionRun {
  /** Evidence items whose pixels were deleted. */
  purged: number;
  /** Decisions whose prompt and evidence text were redacted. */
  redacted: number;
  /**
   * Decisions past their retention that were left as they are: recorded before the chain
   * carried a redacted digest, so redacting them would look like tampering to a verifier.
   */
  skipped: number;
}

/**
 * The retention sweep: purges expired evidence (EvidenceService.purge) and redacts the prompts
 * and quoted evidence text of decisions older than PERISAI_PROMPT_RETENTION_DAYS. A redacted row
 * keeps what was decided, why and about which account; its audit entry's `redacted_sha256`
 * still binds it to the chain (domain/redaction.ts), so `perisai audit verify` stays ok.
 * Idempotent and safe on several instances: rows are updated only while not yet redacted.
 */
export class RetentionService {
  constructor(private readonly options: RetentionOptions) {}

  async run(actor = 'retention'): Promise<RetentionRun> {
    const { purged } = await this.options.evidence.purge(actor);
    const { redacted, skipped } = await this.redactPrompts(actor);
    return { purged, redacted, skipped };
  }

  async redactPrompts(actor = 'retention'): Promise<{ redacted: number; skipped: number }> {
    if (this.options.promptRetentionDays <= 0) return { redacted: 0, skipped: 0 };
    let redacted = 0;
    let skipped = 0;
    let after = '';
    for (;;) {
      const done = await this.options.uow.run(async (tx) => {
        const cutoff = new Date(new Date(tx.at).getTime() - this.options.promptRetentionDays * DAY_MS).toISOString();
        const rows = await tx.db
          .selectFrom('decisions')
          .selectAll()
          .where('created_at', '<', cutoff)
          .where('redacted_at', 'is', null)
          .where('id', '>', after)
          .orderBy('id')
          .limit(BATCH)
          .execute();
        if (rows.length === 0) return { count: 0, skip: 0, last: after, more: false };
        const entries = await tx.db
          .selectFrom('audit_log')
          .select(['subject', 'payload'])
          .where('kind', '=', 'decision')
          .where(
            'subject',
            'in',
            rows.map((row) => row.id),
          )
          .execute();
        const redactable = new Set(
          entries.filter((entry) => (JSON.parse(entry.payload) as { redacted_sha256?: unknown }).redacted_sha256 !== undefined).map((e) => e.subject),
        );
        const ids: string[] = [];
        let skip = 0;
        for (const row of rows) {
          if (!redactable.has(row.id)) {
            skip += 1;
            continue;
          }
          const form = redactDecisionRecord(decisionFromRow(row));
          const result = await tx.db
            .updateTable('decisions')
            .set({ prompt: null, reasons: JSON.stringify(form.reasons), signals: JSON.stringify(form.signals), redacted_at: tx.at })
            .where('id', '=', row.id)
            .where('redacted_at', 'is', null)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) === 1) ids.push(row.id);
        }
        // One entry per batch: the chain says when, under which retention, and which decisions.
        if (ids.length > 0) {
          await tx.audit([
            { kind: 'decisions.redacted', subject: 'decisions', actor, payload: { retention_days: this.options.promptRetentionDays, cutoff, decisions: ids } },
          ]);
        }
        return { count: ids.length, skip, last: rows[rows.length - 1]!.id, more: rows.length === BATCH };
      });
      redacted += done.count;
      skipped += done.skip;
      after = done.last;
      if (!done.more) return { redacted, skipped };
    }
  }
}
