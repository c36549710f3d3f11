import type { AppContext } from '../../app-context.js';
import { EXIT, writeLine } from '../io.js';

/** `perisai audit verify`: walks the hash chain and names the first broken entry. */
export async function auditVerify(ctx: AppContext, json: boolean): Promise<number> {
  const { total, ...result } = await ctx.audit.verify();
  if (json) {
    await writeLine(JSON.stringify(result));
  } else if (result.ok) {
    await writeLine(`The audit log is intact: ${result.entries} entries, head ${result.headHash}.`);
  } else {
    process.stderr.write(`The audit log is BROKEN at entry ${result.firstBreak.seq} (${result.firstBreak.reason}): ${result.firstBreak.message}\n${result.entries} of ${total} entries verified before the break.\n`);
  }
  return result.ok ? EXIT.ok : EXIT.failure;
}
