import type { AuditVerification } from '../domain/audit-chain.js';
import { countAuditEntries, verifyAuditLog } from '../store/repositories/audit-log.js';
import type { Db } from '../store/store.js';

/** The audit log as the CLI and the API see it: verification of the hash chain. */
export class AuditService {
  constructor(private readonly db: Db) {}

  /** Walks the whole chain; on a break, `total` says how many entries the log holds in all. */
  async verify(): Promise<AuditVerification & { total: number }> {
    const result = await verifyAuditLog(this.db);
    const total = result.ok ? result.entries : await countAuditEntries(this.db);
    return { ...result, total };
  }
}
