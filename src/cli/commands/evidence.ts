import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { AppContext } from '../../app-context.js';
import { PerisaiError } from '../../domain/errors.js';
import type { EvidenceView } from '../../services/evidence.js';
import { EXIT, writeLine } from '../io.js';

/** The person running the command, for the audit entries of holds and reads. */
const CLI_ACTOR = 'cli';

/** `perisai escalations list`: packages built for a person to submit, newest first. */
export async function escalationsList(ctx: AppContext, flags: { case?: string; json?: boolean }): Promise<number> {
  const packages = await ctx.escalations.list({ caseId: flags.case });
  for (const pkg of packages) {
    if (flags.json) {
      await writeLine(
        JSON.stringify({
          id: pkg.id,
          recipient: pkg.recipient,
          case_id: pkg.case_id,
          decision_id: pkg.decision_id,
          created_at: pkg.created_at,
          actor: pkg.actor,
          submitted: pkg.submitted,
        }),
      );
    } else {
      await writeLine(
        `${pkg.id}  ${pkg.recipient}  ${pkg.created_at}  ${pkg.case_id ?? pkg.decision_id ?? ''}  files ${pkg.file_details_xml.length}  evidence ${pkg.evidence.length}  by ${pkg.actor}`,
      );
    }
  }
  if (!flags.json && packages.length === 0) await writeLine('No escalation packages.');
  return EXIT.ok;
}

/** `perisai escalations show ID`: the whole package, JSON. */
export async function escalationsShow(ctx: AppContext, id: string): Promise<number> {
  await writeLine(JSON.stringify(await ctx.escalations.get(id), null, 2));
  return EXIT.ok;
}

/**
 * `perisai escalations export ID --out DIR`: the files a person submits. The pixels are written
 * only with `--with-evidence` (owner-only files), and each read is audited: decrypted evidence
 * on disk is the most sensitive thing this system can produce.
 */
export async function escalationsExport(ctx: AppContext, id: string, flags: { out: string; withEvidence?: boolean }): Promise<number> {
  const pkg = await ctx.escalations.get(id);
  mkdirSync(flags.out, { recursive: true, mode: 0o700 });
  const write = (name: string, content: string | Buffer) => writeFileSync(join(flags.out, name), content, { mode: 0o600 });
  write('report.xml', pkg.report_xml);
  pkg.file_details_xml.forEach((xml, i) => write(`fileDetails-${i + 1}.xml`, xml));
  write('trace.json', `${JSON.stringify(pkg.trace, null, 2)}\n`);
  write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  const written = ['report.xml', ...pkg.file_details_xml.map((_, i) => `fileDetails-${i + 1}.xml`), 'trace.json', 'package.json'];
  if (flags.withEvidence) {
    for (const item of pkg.evidence.filter((e) => !e.purged)) {
      write(`evidence-${item.sha256}.bin`, await ctx.evidence.read(item.id, CLI_ACTOR));
      written.push(`evidence-${item.sha256}.bin`);
    }
  }
  await writeLine(`Wrote ${written.join(', ')} to ${flags.out}.`);
  for (const line of pkg.to_complete) await writeLine(`  to complete: ${line}`);
  await writeLine('Perisai has not submitted this report: a person checks it and submits it to NCMEC.');
  return EXIT.ok;
}

export async function evidenceList(ctx: AppContext, flags: { case?: string; json?: boolean }): Promise<number> {
  const items = await ctx.evidence.list({ caseId: flags.case });
  for (const item of items) await writeLine(flags.json ? JSON.stringify(item) : evidenceLine(item));
  if (!flags.json && items.length === 0)
    await writeLine(ctx.evidence.enabled ? 'No evidence kept.' : 'No evidence kept (no evidence key is configured: PERISAI_EVIDENCE_KEY).');
  return EXIT.ok;
}

export async function evidenceShow(ctx: AppContext, id: string): Promise<number> {
  await writeLine(JSON.stringify(await ctx.evidence.get(id), null, 2));
  return EXIT.ok;
}

export async function evidenceHold(ctx: AppContext, id: string, flags: { reason?: string }): Promise<number> {
  const reason = flags.reason?.trim();
  if (!reason) throw new PerisaiError('invalid_arguments', 'Say why the evidence is held with --reason (e.g. the preservation request it answers).');
  await writeLine(evidenceLine(await ctx.evidence.hold(id, reason, CLI_ACTOR)));
  return EXIT.ok;
}

export async function evidenceRelease(ctx: AppContext, id: string): Promise<number> {
  await writeLine(evidenceLine(await ctx.evidence.release(id, CLI_ACTOR)));
  return EXIT.ok;
}

/** `perisai evidence purge`: the retention sweep now (the server runs it hourly). */
export async function evidencePurge(ctx: AppContext): Promise<number> {
  const run = await ctx.retention.run(CLI_ACTOR);
  await writeLine(
    `Purged ${run.purged} evidence item(s); redacted ${run.redacted} decision(s)${run.skipped > 0 ? ` (${run.skipped} recorded before redaction was possible were left)` : ''}.`,
  );
  return EXIT.ok;
}

function evidenceLine(item: EvidenceView): string {
  const state = item.purged_at ? `purged ${item.purged_at}` : item.hold ? `held (${item.hold.reason})` : `kept until ${item.retain_until}`;
  return `${item.id}  ${item.source.padEnd(9)}  ${item.sha256}  ${item.bytes} bytes  ${item.case_id ?? item.decision_id ?? ''}  ${state}`;
}
