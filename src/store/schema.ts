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

export interface Database {
  api_keys: ApiKeyTable;
  decisions: DecisionTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
}
