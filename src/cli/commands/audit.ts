import type { AppContext } from '../../app-context.js';
import { countAuditEntries, verifyAuditLog } from '../../store/repositories/audit-log.js';
import { EXIT, writeLine } from '../io.js';

/** `perisai audit verify`: walks the hash chain and names the first broken entry. */
export async function auditVerify(ctx: AppContext, json: boolean): Promise<number> {
  const result = await verifyAuditLog(ctx.store.db);
  if (json) {
    await writeLine(JSON.stringify(result));
  } else if (result.ok) {
    await writeLine(`The audit log is intact: ${result.entries} entries, head ${result.headHash}.`);
  } else {
    const total = await countAuditEntries(ctx.store.db);
    process.stderr.write(`The audit log is BROKEN at entry ${result.firstBreak.seq} (${result.firstBreak.reason}): ${result.firstBreak.message}\n${result.entries} of ${total} entries verified before the break.\n`);
  }
  return result.ok ? EXIT.ok : EXIT.failure;
}
