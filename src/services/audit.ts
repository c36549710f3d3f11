import type { AuditVerification } from '../domain/audit-chain.js';
import { countAuditEntries, verifyAuditLog } from '../store/repositories/audit-log.js';
import type { Store } from '../store/store.js';

/** The audit log as the CLI and the API see it: verification of the hash chain. */
export class AuditService {
  constructor(private readonly store: Store) {}

  /** Walks the whole chain; on a break, `total` says how many entries the log holds in all. */
  async verify(): Promise<AuditVerification & { total: number }> {
    const result = await verifyAuditLog(this.store.db);
    const total = result.ok ? result.entries : await countAuditEntries(this.store.db);
    return { ...result, total };
  }
}
