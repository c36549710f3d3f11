import { readFile } from 'node:fs/promises';

import { PerisaiError } from '../../domain/errors.js';
import { type ProvenanceReport, verifyProvenance } from '../../provenance/verify.js';
import { EXIT, writeLine } from '../io.js';

/**
 * `perisai provenance verify FILE`: what the image's C2PA manifest says and whether it holds.
 * Exit 0 when the manifest is present and valid, 1 when it is absent or invalid.
 */
export async function provenanceVerify(path: string, flags: { json?: boolean }): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new PerisaiError('invalid_arguments', `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): check the path.`);
  }
  const report = await verifyProvenance(bytes);
  if (flags.json) await writeLine(JSON.stringify({ file: path, ...report }));
  else for (const line of describe(path, report)) await writeLine(line);
  return report.valid ? EXIT.ok : EXIT.failure;
}

function verdict(ok: boolean | null, yes: string, no: string): string {
  return ok === null ? 'not checked' : ok ? yes : no;
}

export function describe(path: string, report: ProvenanceReport): string[] {
  if (!report.present) return [`${path}: no C2PA manifest`, ...report.problems.map((problem) => `  - ${problem}`)];
  const lines = [`${path}: C2PA manifest ${report.valid ? 'VALID' : 'INVALID'} (${report.format?.toUpperCase() ?? 'unknown format'})`];
  const signer = report.signer;
  lines.push(
    `  signature:       ${verdict(report.signatureValid, 'valid', 'INVALID')}${signer ? `, signed by "${signer.subject}" (issuer "${signer.issuer}", certificate valid until ${signer.notAfter})` : ''}`,
  );
  if (signer?.development) lines.push('                   the self-signed DEVELOPMENT signer: anyone can make one, so it proves nothing outside a test');
  lines.push(
    `  hash binding:    ${verdict(report.hashBindingValid, 'valid: every byte outside the manifest is as signed', 'INVALID: the image data changed after signing')}`,
  );
  lines.push('  trust:           not checked against a trust list; judge the signer by its certificate');
  lines.push(`  claim generator: ${report.claimGenerator ?? '(none)'}`);
  for (const action of report.actions) {
    lines.push(
      `  action:          ${action.action}${action.digitalSourceType ? `, ${action.digitalSourceType}` : ''}${action.softwareAgent ? `, by ${action.softwareAgent}` : ''}`,
    );
  }
  lines.push(`  generator:       ${report.generator ?? '(not named)'}`);
  if (report.decisionId !== null) {
    lines.push(`  decision:        ${report.decisionId} (request ${report.requestDecisionId ?? '?'}), policy ${report.policyVersion ?? '?'}`);
  } else {
    lines.push('  decision:        (no Perisai decision assertion)');
  }
  if (report.problems.length > 0) lines.push('  problems:', ...report.problems.map((problem) => `    - ${problem}`));
  return lines;
}
