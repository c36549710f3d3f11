import type { Generated } from 'kysely';

/**
 * Table shapes as both databases store them. Timestamps are ISO-8601 UTC text and JSON is text
 * in both, so the same rows come back from SQLite and PostgreSQL and hash the same in the audit log.
 */
export interface ApiKeyTable {
  id: string;
  name: string;
  /** SHA-256 of the secret; the secret itself is shown once and never stored. */
  key_hash: string;
  /** Space-separated scopes. */
  scopes: string;
  created_at: string;
  revoked_at: string | null;
}

export interface DecisionTable {
  id: string;
  created_at: string;
  stage: string;
  decision: string;
  /** JSON arrays / objects as text. */
  categories: string;
  reasons: string;
  actions: string;
  signals: string;
  policy_version: string;
  prompt: string | null;
  subject: string;
  requester_id: string | null;
  requester_country: string | null;
  jurisdiction: string | null;
  /** For an output screening: the request decision that produced it. */
  request_id: string | null;
  duration_ms: number;
  /** Set when the prompt and evidence text were redacted after their retention. */
  redacted_at?: string | null;
}

export interface AuditLogTable {
  seq: number;
  created_at: string;
  kind: string;
  subject: string;
  actor: string;
  /** Canonical JSON of the payload, exactly as hashed. */
  payload: string;
  prev_hash: string;
  hash: string;
}

/** One row (id = 1): the last sequence number and hash, updated in the same transaction as each append. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface Database extends DatabaseV2, DatabaseV4, DatabaseV5, DatabaseV7, DatabaseV8, DatabaseV14, DatabaseV15, DatabaseV16, DatabaseV17 {
  api_keys: ApiKeyTable;
  decisions: DecisionTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
}

export interface ConsentSettingsTable {
  account: string;
  /** 0/1 in SQLite, a boolean in PostgreSQL: repositories convert. */
  allow_ai_edits_by_others: number | boolean;
  allow_ai_edits_by_self: number | boolean;
  updated_at: string;
}

export interface ProtectedHashTable {
  id: Generated<number>;
  account: string;
  pdq: string;
  quality: number;
  sha256: string | null;
  created_at: string;
}

export interface BankTable {
  id: Generated<number>;
  name: string;
  purpose: string;
  description: string | null;
  active: number | boolean;
  /** Hashes below this PDQ quality are refused at import. */
  min_quality: number;
  /** Matching threshold in Hamming distance. */
  max_distance: number;
  created_at: string;
  created_by: string;
}

export interface BankHashTable {
  id: Generated<number>;
  bank_id: number;
  pdq: string;
  quality: number;
  sha256: string | null;
  label: string | null;
  source: string | null;
  category: string | null;
  reason: string | null;
  added_at: string;
  added_by: string;
}

/**
 * Every change to an indexed hash table, in order. Each process replays the rows after the
 * last one it saw, so an index stays current when another process (the CLI, another instance)
 * changes the data.
 */
export interface IndexChangeTable {
  seq: Generated<number>;
  /** "protected" or "bank". */
  index_name: string;
  op: string;
  row_id: number;
  changed_at: string;
}

/** Every screened output, by hash, against the request and account that produced it. */
export interface LedgerTable {
  id: Generated<number>;
  decision_id: string;
  request_id: string;
  requester_id: string | null;
  pdq: string | null;
  quality: number | null;
  sha256: string;
  decision: string;
  created_at: string;
}

export interface DatabaseV2 {
  generation_ledger: LedgerTable;
  consent_settings: ConsentSettingsTable;
  protected_hashes: ProtectedHashTable;
  banks: BankTable;
  bank_hashes: BankHashTable;
  index_changes: IndexChangeTable;
  index_changes_horizon: IndexChangesHorizonTable;
}

/** One row: the highest `index_changes.seq` deleted by pruning. */
export interface IndexChangesHorizonTable {
  id: number;
  pruned_through: number;
}

/**
 * Actions a decision or a use case triggered (strike, escalate, open a case), written in the
 * same transaction and carried out afterwards by the job runner. The row is the job's record
 * on both databases: on PostgreSQL pg-boss runs it, and the row keeps its status for
 * `perisai jobs list`.
 */
export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  subject: string;
  /** JSON. */
  payload: string;
  created_at: string;
  /** pending → (queued on PostgreSQL) → running → done | failed; retried ones return to pending/queued. */
  status: string;
  attempts: number;
  /** Not before this time (back-off after a failure). */
  run_after: string;
  /** A claimed job whose lease ran out (its process died) is claimed again. */
  locked_until: string | null;
  last_error: string | null;
  updated_at: string;
}

export interface DatabaseV4 {
  outbox: OutboxTable;
}

/** Written to and rolled back by the readiness probe: proves the store can write again. */
export interface StoreProbeTable {
  id: number;
  filler: string;
}

export interface DatabaseV5 {
  store_probe: StoreProbeTable;
}

/**
 * One signed webhook and its fate: the body is fixed when it is enqueued so every retry sends
 * the same bytes (only the signature's time changes); the outbox job carries it out.
 */
export interface WebhookDeliveryTable {
  id: string;
  event_type: string;
  case_id: string | null;
  /** The JSON body exactly as it is sent. */
  body: string;
  /** pending → delivered, or retrying → … → failed; undeliverable when no URL is configured. */
  status: string;
  attempts: number;
  last_http_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

/** Every attempt at a delivery, so a case shows what the receiver answered and when. */
export interface WebhookAttemptTable {
  id: Generated<number>;
  delivery_id: string;
  attempt: number;
  attempted_at: string;
  outcome: string;
  http_status: number | null;
  error: string | null;
  duration_ms: number;
  next_attempt_at: string | null;
}

export interface DatabaseV7 {
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
}

/** A case: one piece of reported content, its clock and where it stands. */
export interface CaseTable {
  id: string;
  /** open → in_review → actioned | declined → appealed → closed. */
  state: string;
  jurisdiction: string;
  category: string;
  content_id: string | null;
  content_url: string | null;
  /** PDQ of the reported image (hex); the image itself is never stored. */
  image_pdq: string | null;
  /** PDQ quality 0..100 of the reported image, for banking it. */
  image_pdq_quality: number | null;
  image_sha256: string | null;
  /** The clock rule that set the deadline, and the rules file version it came from. */
  rule_id: string;
  clock_version: string;
  opened_at: string;
  deadline: string;
  assignee: string | null;
  /** 1 when the case was acted on without waiting for a person. */
  automated: number;
  /** JSON array of alert threshold keys already fired, so each fires once. */
  fired_alerts: string;
  updated_at: string;
}

/** One report as received (minus the image, kept only as hashes). */
export interface ReportTable {
  id: string;
  case_id: string;
  received_at: string;
  reporter_type: string;
  reporter_authenticated: number;
  /** JSON of the reporter's name, email and contact. */
  reporter: string;
  jurisdiction: string;
  category: string;
  content_id: string | null;
  content_url: string | null;
  image_pdq: string | null;
  image_sha256: string | null;
  /** JSON of the notice's statements (explanation, good faith, signature...). */
  body: string;
  /** JSON array of the legal elements the notice lacks. */
  missing: string;
  rule_id: string;
  deadline: string;
}

/** A case's history: every transition and action, in order. */
export interface CaseEventTable {
  id: Generated<number>;
  case_id: string;
  at: string;
  kind: string;
  actor: string;
  payload: string;
}

export interface DatabaseV8 {
  cases: CaseTable;
  reports: ReportTable;
  case_events: CaseEventTable;
}

/**
 * One statement of reasons (DSA Art. 17) per restricting action, stored as the EU Transparency
 * Database's API takes it (`body`), with the columns reports filter and count on beside it.
 */
export interface StatementOfReasonsTable {
  /** `sor_` and 32 hex digits; also the statement's puid. */
  id: string;
  created_at: string;
  /** What the action was on: `case`, `decision` (a refused request) or `account`. */
  source: string;
  /** The case id, decision id, or the caller's opaque id of the account restriction. */
  subject: string;
  /** content_removed, content_disabled, generation_refused, account_suspended, account_terminated. */
  restriction: string;
  /** The report category (ncii, csam, sexual_deepfake, nudity, other). */
  category: string;
  /** The case's or decision's jurisdiction; `ZZ` when unknown. */
  jurisdiction: string;
  /** 1 when no person took the decision (AUTOMATED_DECISION_FULLY). */
  automated: number;
  /** The statement as JSON, validated against the database's schema before it was stored. */
  body: string;
}

export interface DatabaseV15 {
  statements_of_reasons: StatementOfReasonsTable;
}

/** A strike on an account: one per (decision, category) of a rule with the `strike` action. */
export interface AccountStrikeTable {
  id: string;
  account: string;
  category: string;
  decision_id: string;
  /** The rule that asked for the strike, and the policy it belonged to. */
  rule: string;
  policy_version: string;
  created_at: string;
  /** When it stops counting (the policy's strike_expiry_days after created_at). */
  expires_at: string;
  /** Set when an appeal or a person lifted it: it never counts again. */
  lifted_at: string | null;
  lifted_by: string | null;
  lifted_reason: string | null;
}

/** A suspension, manual or automatic (a threshold met), from when to when and why. */
export interface AccountSuspensionTable {
  id: string;
  account: string;
  started_at: string;
  /** Null: until a person reinstates the account. */
  until: string | null;
  automatic: number;
  /** JSON of the policy threshold that was met (automatic suspensions). */
  threshold: string | null;
  /** JSON array of the strike ids that met it ([] for a manual suspension). */
  strike_ids: string;
  reason: string;
  actor: string;
  policy_version: string | null;
  /** Set when a reinstatement or the lifting of its strikes ended it before `until`. */
  ended_at: string | null;
  ended_by: string | null;
  ended_reason: string | null;
}

/** An appeal: the case that hears it, what it contests, who appealed and the outcome. */
export interface AppealTable {
  case_id: string;
  /** `decision:<id>` or `case:<id>`: what is contested (unique: one appeal each). */
  appeal_of: string;
  decision_id: string | null;
  original_case_id: string | null;
  /** The contested case's state when the appeal opened (actioned or declined). */
  original_state: string | null;
  /** account_holder | reporter. */
  appellant_type: string;
  /** JSON of the appellant: account id, report id, contact, as given. */
  appellant: string;
  reason: string;
  opened_at: string;
  opened_by: string;
  /** uphold | overturn, once decided. */
  outcome: string | null;
  decided_at: string | null;
  decided_by: string | null;
}

export interface DatabaseV14 {
  account_strikes: AccountStrikeTable;
  account_suspensions: AccountSuspensionTable;
  appeals: AppealTable;
}

/** Pixels kept as evidence, AES-256-GCM encrypted with a key from configuration (never stored here). */
export interface EvidenceTable {
  id: string;
  case_id: string | null;
  decision_id: string | null;
  /** "report" (a reported image) or "screening" (an image in a screened request or output). */
  source: string;
  /** SHA-256 of the plaintext image, hex. */
  sha256: string;
  bytes: number;
  /** Fingerprint of the key it was sealed with. */
  key_id: string;
  /** Null once purged. */
  iv: Buffer | null;
  tag: Buffer | null;
  ciphertext: Buffer | null;
  created_at: string;
  /** After this instant, and with no hold, the purge deletes the pixels. */
  retain_until: string;
  /** A legal hold: while set, nothing is purged. */
  hold_reason: string | null;
  hold_by: string | null;
  hold_at: string | null;
  purged_at: string | null;
}

/** A child-safety report package (CyberTipline), built for a person to submit. */
export interface EscalationTable {
  id: string;
  /** "case:<id>" or "decision:<id>": one package per source, however often the job runs. */
  source_key: string;
  case_id: string | null;
  decision_id: string | null;
  recipient: string;
  created_at: string;
  actor: string;
  /** JSON: report XML, file details XML, ledger trace, evidence, what to complete. */
  package: string;
}

export interface DatabaseV16 {
  evidence: EvidenceTable;
  escalations: EscalationTable;
}

/** Someone who signs in to the web console: a reviewer or an admin. */
export interface ConsoleUserTable {
  id: string;
  /** Lower-cased. */
  email: string;
  /** reviewer | admin. */
  role: string;
  /** scrypt output, hex; the password itself is never stored. */
  password_hash: string;
  /** Per-user random salt, hex. */
  password_salt: string;
  /** JSON of the scrypt parameters the hash was made with ({ N, r, p, keylen }). */
  password_params: string;
  /** Consecutive failed sign-ins since the last success or lock-out. */
  failed_attempts: number;
  locked_until: string | null;
  /** The person's own image shield (blur | strong), never weaker than the organisation's; null: the default. */
  image_shield: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A signed-in browser: found by the SHA-256 of its cookie, with the CSRF token its forms carry. */
export interface ConsoleSessionTable {
  id_hash: string;
  user_id: string;
  csrf: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface DatabaseV17 {
  console_users: ConsoleUserTable;
  console_sessions: ConsoleSessionTable;
}
