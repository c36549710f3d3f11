import { type Kysely, sql } from 'kysely';

import type { DialectName } from './db.js';

/**
 * Migrations in order. Each receives the dialect so the few differences (auto-increment,
 * JSON operators) stay explicit in one place. Names are timestamps: never rename or edit one
 * that has shipped; add a new one.
 */
export interface Migration {
  name: string;
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

export const MIGRATIONS: Migration[] = [
  {
    name: '2026-11-25-001-core',
    async up(db) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();

      await db.schema
        .createTable('decisions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('categories', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('actions', 'text', (c) => c.notNull())
        .addColumn('signals', 'text', (c) => c.notNull())
        .addColumn('policy_version', 'text', (c) => c.notNull())
        .addColumn('prompt', 'text')
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('requester_id', 'text')
        .addColumn('requester_country', 'text')
        .addColumn('jurisdiction', 'text')
        .addColumn('request_id', 'text')
        .addColumn('duration_ms', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('decisions_created_at').on('decisions').column('created_at').execute();
      await db.schema.createIndex('decisions_requester').on('decisions').columns(['requester_id', 'created_at']).execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_subject').on('audit_log').columns(['subject', 'seq']).execute();

      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await sql`insert into audit_head (id, seq, hash) values (1, 0, ${'0'.repeat(64)})`.execute(db);
    },
  },
  {
    name: '2026-11-25-002-consent-and-banks',
    async up(db, dialect) {
      // Row ids feed the in-memory PDQ index, so they must be small integers on both databases.
      const serial = (table: string) =>
        db.schema
          .createTable(table)
          .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()));

      await db.schema
        .createTable('consent_settings')
        .addColumn('account', 'text', (c) => c.primaryKey())
        .addColumn('allow_ai_edits_by_others', 'boolean', (c) => c.notNull())
        .addColumn('allow_ai_edits_by_self', 'boolean', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await serial('protected_hashes')
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('pdq', 'text', (c) => c.notNull())
        .addColumn('quality', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('protected_hashes_account_pdq', ['account', 'pdq'])
        .execute();
      await db.schema.createIndex('protected_hashes_sha256').on('protected_hashes').column('sha256').execute();

      await serial('banks')
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('active', 'boolean', (c) => c.notNull())
        .addColumn('min_quality', 'integer', (c) => c.notNull())
        .addColumn('max_distance', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();

      await serial('bank_hashes')
        .addColumn('bank_id', 'bigint', (c) => c.notNull().references('banks.id').onDelete('cascade'))
        .addColumn('pdq', 'text', (c) => c.notNull())
        .addColumn('quality', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text')
        .addColumn('label', 'text')
        .addColumn('source', 'text')
        .addColumn('category', 'text')
        .addColumn('reason', 'text')
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addColumn('added_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('bank_hashes_bank_pdq', ['bank_id', 'pdq'])
        .execute();
      await db.schema.createIndex('bank_hashes_sha256').on('bank_hashes').column('sha256').execute();

      await db.schema
        .createTable('index_changes')
        .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('index_name', 'text', (c) => c.notNull())
        .addColumn('op', 'text', (c) => c.notNull())
        .addColumn('row_id', 'bigint', (c) => c.notNull())
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    name: '2026-11-25-003-generation-ledger',
    async up(db, dialect) {
      await db.schema
        .createTable('generation_ledger')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('decision_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('requester_id', 'text')
        .addColumn('pdq', 'text')
        .addColumn('quality', 'integer')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('generation_ledger_sha256').on('generation_ledger').column('sha256').execute();
      await db.schema.createIndex('generation_ledger_request').on('generation_ledger').column('request_id').execute();
    },
  },
  {
    name: '2026-12-02-004-outbox',
    async up(db, dialect) {
      await db.schema
        .createTable('outbox')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('run_after', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .addColumn('last_error', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('outbox_status_run_after').on('outbox').columns(['status', 'run_after']).execute();
    },
  },
  {
    name: '2026-12-02-005-store-probe',
    async up(db) {
      // Never holds a row: the probe inserts and rolls back, so a full disk or a read-only
      // database fails it where a "select 1" would still succeed.
      await db.schema
        .createTable('store_probe')
        .addColumn('id', 'integer', (c) => c.notNull())
        .addColumn('filler', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    name: '2026-12-03-007-webhook-deliveries',
    async up(db, dialect) {
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('case_id', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_http_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .execute();
      await db.schema.createIndex('webhook_deliveries_case').on('webhook_deliveries').columns(['case_id', 'created_at']).execute();
      await db.schema.createIndex('webhook_deliveries_status').on('webhook_deliveries').columns(['status', 'created_at']).execute();
      await db.schema
        .createTable('webhook_attempts')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('attempted_at', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text')
        .execute();
      await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'attempt']).execute();
    },
  },
  {
    name: '2026-12-03-008-reports-and-cases',
    async up(db, dialect) {
      // A case is the unit a reviewer works and a clock runs on; reports join it. The reported
      // image is kept only as its hashes (PDQ for merging and banking, SHA-256 for identity).
      await db.schema
        .createTable('cases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('jurisdiction', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('content_id', 'text')
        .addColumn('content_url', 'text')
        .addColumn('image_pdq', 'text')
        .addColumn('image_sha256', 'text')
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('clock_version', 'text', (c) => c.notNull())
        .addColumn('opened_at', 'text', (c) => c.notNull())
        .addColumn('deadline', 'text', (c) => c.notNull())
        .addColumn('assignee', 'text')
        .addColumn('automated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('fired_alerts', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // The queue is read by deadline, optionally narrowed by one filter; (deadline, id) is the keyset.
      await db.schema.createIndex('cases_deadline').on('cases').columns(['deadline', 'id']).execute();
      for (const column of ['state', 'jurisdiction', 'category', 'assignee']) {
        await db.schema.createIndex(`cases_${column}_deadline`).on('cases').columns([column, 'deadline', 'id']).execute();
      }
      await db.schema.createIndex('cases_content_id').on('cases').columns(['content_id']).execute();
      await db.schema.createIndex('cases_image_pdq').on('cases').columns(['image_pdq']).execute();
      await db.schema
        .createTable('reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('reporter_type', 'text', (c) => c.notNull())
        .addColumn('reporter_authenticated', 'integer', (c) => c.notNull())
        .addColumn('reporter', 'text', (c) => c.notNull())
        .addColumn('jurisdiction', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('content_id', 'text')
        .addColumn('content_url', 'text')
        .addColumn('image_pdq', 'text')
        .addColumn('image_sha256', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('missing', 'text', (c) => c.notNull())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('deadline', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('reports_case').on('reports').columns(['case_id', 'received_at']).execute();
      await db.schema
        .createTable('case_events')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('case_events_case').on('case_events').columns(['case_id', 'id']).execute();
    },
  },
  {
    name: '2026-12-04-009-case-image-quality',
    async up(db) {
      // Banking a reported image needs its PDQ quality: each bank refuses hashes below its minimum.
      await db.schema.alterTable('cases').addColumn('image_pdq_quality', 'integer').execute();
    },
  },
  {
    name: '2026-12-04-010-index-changes-horizon',
    async up(db) {
      // The highest seq ever pruned from index_changes. A reader whose last seen seq is below it
      // missed changes and must reload; comparing with the oldest kept row cannot tell, because
      // PostgreSQL sequences skip numbers on rollback.
      await db.schema
        .createTable('index_changes_horizon')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('pruned_through', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into index_changes_horizon (id, pruned_through) values (1, 0)`.execute(db);
      await db.schema.createIndex('index_changes_changed_at').on('index_changes').column('changed_at').execute();
    },
  },
  {
    name: '2026-12-04-013-cases-updated-at',
    async up(db) {
      // The intake's in-memory index of open cases follows the table by updated_at.
      await db.schema.createIndex('cases_updated_at').on('cases').column('updated_at').execute();
    },
  },
  {
    name: '2026-12-05-014-account-enforcement',
    async up(db) {
      // One strike per (decision, category): a retried strike job finds its strike and adds none.
      await db.schema
        .createTable('account_strikes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('decision_id', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('policy_version', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('lifted_at', 'text')
        .addColumn('lifted_by', 'text')
        .addColumn('lifted_reason', 'text')
        .execute();
      await db.schema.createIndex('account_strikes_decision').on('account_strikes').columns(['decision_id', 'category']).unique().execute();
      await db.schema.createIndex('account_strikes_account').on('account_strikes').columns(['account', 'created_at']).execute();
      await db.schema
        .createTable('account_suspensions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('until', 'text')
        .addColumn('automatic', 'integer', (c) => c.notNull())
        .addColumn('threshold', 'text')
        .addColumn('strike_ids', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('policy_version', 'text')
        .addColumn('ended_at', 'text')
        .addColumn('ended_by', 'text')
        .addColumn('ended_reason', 'text')
        .execute();
      // Every screened request reads this index for its requester (AccountStandingMatcher).
      await db.schema.createIndex('account_suspensions_account').on('account_suspensions').columns(['account', 'ended_at']).execute();
    },
  },
  {
    name: '2026-12-05-014b-appeals',
    async up(db) {
      // An appeal is a case (its queue, clock and history); this row says what it contests, who
      // appealed and how it was decided. One appeal per decision or case: the unique index says so.
      await db.schema
        .createTable('appeals')
        .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id'))
        .addColumn('appeal_of', 'text', (c) => c.notNull().unique())
        .addColumn('decision_id', 'text')
        .addColumn('original_case_id', 'text')
        .addColumn('original_state', 'text')
        .addColumn('appellant_type', 'text', (c) => c.notNull())
        .addColumn('appellant', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('opened_at', 'text', (c) => c.notNull())
        .addColumn('opened_by', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('decided_at', 'text')
        .addColumn('decided_by', 'text')
        .execute();
    },
  },
  {
    name: '2026-12-05-015-statements-of-reasons',
    async up(db) {
      await db.schema
        .createTable('statements_of_reasons')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('restriction', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('jurisdiction', 'text', (c) => c.notNull())
        .addColumn('automated', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      // The export and the transparency report read a period in order; (created_at, id) is the keyset.
      await db.schema.createIndex('statements_of_reasons_created').on('statements_of_reasons').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('statements_of_reasons_subject').on('statements_of_reasons').columns(['source', 'subject']).execute();
      // The transparency report reads reports and case events by period.
      await db.schema.createIndex('reports_received_at').on('reports').column('received_at').execute();
      await db.schema.createIndex('case_events_at').on('case_events').columns(['at', 'id']).execute();
    },
  },
  {
    name: '2026-12-05-016-evidence-escalations-redaction',
    async up(db, dialect) {
      const binary = dialect === 'postgres' ? 'bytea' : 'blob';
      // Pixels kept only as evidence, encrypted; the key is never here. A purged item keeps its
      // row (hash, dates, who held it) with the ciphertext gone, so the purge stays accountable.
      await db.schema
        .createTable('evidence')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('case_id', 'text')
        .addColumn('decision_id', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('iv', binary)
        .addColumn('tag', binary)
        .addColumn('ciphertext', binary)
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('retain_until', 'text', (c) => c.notNull())
        .addColumn('hold_reason', 'text')
        .addColumn('hold_by', 'text')
        .addColumn('hold_at', 'text')
        .addColumn('purged_at', 'text')
        .execute();
      await db.schema.createIndex('evidence_case').on('evidence').columns(['case_id']).execute();
      await db.schema.createIndex('evidence_decision').on('evidence').columns(['decision_id']).execute();
      await db.schema.createIndex('evidence_retain_until').on('evidence').columns(['purged_at', 'retain_until']).execute();
      // Child-safety report packages, ready for a person to submit; one per case or decision.
      await db.schema
        .createTable('escalations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('source_key', 'text', (c) => c.notNull().unique())
        .addColumn('case_id', 'text')
        .addColumn('decision_id', 'text')
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('package', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('escalations_case').on('escalations').columns(['case_id']).execute();
      await db.schema.createIndex('escalations_created_at').on('escalations').columns(['created_at', 'id']).execute();
      // When a decision's prompt and evidence text were redacted after their retention.
      await db.schema.alterTable('decisions').addColumn('redacted_at', 'text').execute();
    },
  },
  {
    name: '2026-12-06-017-console-users',
    async up(db) {
      // People who sign in to the web console. The password is kept as an scrypt hash with its
      // own salt and the parameters it was made with, so the cost can rise later without
      // invalidating older hashes. Failed attempts and the lock-out live on the row, so every
      // instance sees the same count.
      await db.schema
        .createTable('console_users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('password_salt', 'text', (c) => c.notNull())
        .addColumn('password_params', 'text', (c) => c.notNull())
        .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('image_shield', 'text')
        .addColumn('disabled_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // A session is found by the SHA-256 of its cookie value: a leaked table opens no session.
      await db.schema
        .createTable('console_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('console_users.id'))
        .addColumn('csrf', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('console_sessions_user').on('console_sessions').column('user_id').execute();
      // The console lists the decisions held for review, newest first.
      await db.schema.createIndex('decisions_outcome_created').on('decisions').columns(['decision', 'created_at', 'id']).execute();
    },
  },
];
