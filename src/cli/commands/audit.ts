import { readFileSync, writeFileSync } from 'node:fs';

import type { AppContext } from '../../app-context.js';
import { readPublicKey } from '../../audit-key.js';
import { PerisaiError } from '../../domain/errors.js';
import { auditEntryView } from '../../services/audit.js';
import { EXIT, writeLine } from '../io.js';

export interface AuditVerifyFlags {
  json?: boolean;
  checkpoint?: string;
  publicKey?: string;
}

/** `perisai audit verify`: walks the chain, recomputes each decision's digest, checks a checkpoint. */
export async function auditVerify(ctx: AppContext, flags: AuditVerifyFlags): Promise<number> {
  const checkpoint = flags.checkpoint === undefined ? undefined : ctx.audit.parseCheckpoint(readText(flags.checkpoint, 'checkpoint'));
  const trustedKey = flags.publicKey === undefined ? undefined : readPublicKey(flags.publicKey);
  const { total, ...result } = await ctx.audit.verify({ ...(checkpoint ? { checkpoint } : {}), ...(trustedKey ? { trustedKey } : {}) });
  const ok = result.ok && (result.checkpoint?.ok ?? true);
  if (flags.json) {
    await writeLine(JSON.stringify(result));
    return ok ? EXIT.ok : EXIT.failure;
  }
  if (result.ok) {
    await writeLine(`The audit log is intact: ${result.entries} entries, ${result.records} decision rows match their digests, head ${result.headHash}.`);
  } else {
    process.stderr.write(
      `The audit log is BROKEN at entry ${result.firstBreak.seq} (${result.firstBreak.reason}): ${result.firstBreak.message}\n${result.entries} of ${total} entries verified before the break.\n`,
    );
  }
  if (result.checkpoint?.ok)
    await writeLine(`The checkpoint at entry ${result.checkpoint.seq} matches: the log has not been rewritten or rolled back since it was signed.`);
  else if (result.checkpoint) process.stderr.write(`The checkpoint does NOT match: ${result.checkpoint.message}\n`);
  return ok ? EXIT.ok : EXIT.failure;
}

/** `perisai audit checkpoint [--out FILE]`: signs the chain's length and head hash. */
export async function auditCheckpoint(ctx: AppContext, flags: { out?: string }): Promise<number> {
  const checkpoint = await ctx.audit.checkpoint();
  const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
  if (flags.out === undefined) {
    process.stdout.write(text);
  } else {
    // 'wx': a checkpoint is evidence; never overwrite an earlier one by accident.
    try {
      writeFileSync(flags.out, text, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new PerisaiError('invalid_arguments', `${flags.out} exists: checkpoints are never overwritten; choose another file name.`);
      throw error;
    }
    process.stderr.write(`Signed checkpoint of ${checkpoint.seq} entries written to ${flags.out}; keep it where the database's owner cannot change it.\n`);
  }
  return EXIT.ok;
}

/** `perisai audit export [--after N]`: every entry as JSON lines, streamed. */
export async function auditExport(ctx: AppContext, flags: { after?: string }): Promise<number> {
  const after = flags.after === undefined ? 0 : Number(flags.after);
  if (!Number.isInteger(after) || after < 0) throw new PerisaiError('invalid_arguments', `--after must be an entry number (0 or more), not "${flags.after}".`);
  for await (const entry of ctx.audit.export(after)) await writeLine(JSON.stringify(auditEntryView(entry)));
  return EXIT.ok;
}

/** `perisai audit public-key`: the PEM an auditor needs to check checkpoints. */
export async function auditPublicKey(ctx: AppContext): Promise<number> {
  process.stdout.write(ctx.audit.publicKeyPem());
  return EXIT.ok;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new PerisaiError('invalid_arguments', `Cannot read the ${what} file ${path}: check the path.`);
  }
}
