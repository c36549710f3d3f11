import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';

import type { AppContext } from '../../app-context.js';
import { PerisaiError } from '../../domain/errors.js';
import { createBankSchema } from '../../services/banks.js';
import { pdqHex } from '../../services/consent.js';
import { exportLines, type HashListFormat, parseHashListOrThrow } from '../../services/hash-import.js';
import { parseInput } from '../../services/parse-input.js';
import { EXIT, writeLine } from '../io.js';

export async function bankCreate(
  ctx: AppContext,
  name: string,
  flags: { purpose: string; description?: string; minQuality?: string; maxDistance?: string },
): Promise<number> {
  const input = parseInput(
    createBankSchema,
    {
      name,
      purpose: flags.purpose,
      ...(flags.description ? { description: flags.description } : {}),
      ...(flags.minQuality !== undefined ? { min_quality: Number(flags.minQuality) } : {}),
      ...(flags.maxDistance !== undefined ? { max_distance: Number(flags.maxDistance) } : {}),
    },
    'arguments',
  );
  const bank = await ctx.banks.create(input, 'cli');
  await writeLine(`Created bank ${bank.name} (${bank.purpose}; min quality ${bank.minQuality}, match distance ≤ ${bank.maxDistance}).`);
  return EXIT.ok;
}

export async function bankList(ctx: AppContext, json: boolean): Promise<number> {
  for (const bank of await ctx.banks.list()) {
    await writeLine(
      json
        ? JSON.stringify({
            name: bank.name,
            purpose: bank.purpose,
            active: bank.active,
            hashes: bank.hashes,
            min_quality: bank.minQuality,
            max_distance: bank.maxDistance,
          })
        : `${bank.name}\t${bank.purpose}\t${bank.active ? 'active' : 'inactive'}\t${bank.hashes} hashes`,
    );
  }
  return EXIT.ok;
}

/** `perisai bank import NAME FILE|-`: the whole file lands in one transaction or nothing does. */
export async function bankImport(ctx: AppContext, name: string, file: string, format: HashListFormat | undefined): Promise<number> {
  const bank = await ctx.banks.get(name);
  let content: string;
  try {
    content = file === '-' ? await text(process.stdin) : await readFile(file, 'utf8');
  } catch (error) {
    throw new PerisaiError('invalid_arguments', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  const entries = await parseHashListOrThrow(content, { format, minQuality: bank.minQuality, source: file === '-' ? 'stdin' : file });
  const result = await ctx.banks.import(name, entries, 'cli');
  process.stderr.write(`Imported into ${name}: ${result.added} added, ${result.already_present} already present (${result.submitted} in the file).\n`);
  return EXIT.ok;
}

export async function bankExport(ctx: AppContext, name: string, format: HashListFormat): Promise<number> {
  for await (const line of exportLines(ctx.banks.export(name), format)) await writeLine(line);
  return EXIT.ok;
}

export async function bankAdd(ctx: AppContext, name: string, pdq: string, flags: { quality: string; label?: string }): Promise<number> {
  const bank = await ctx.banks.get(name);
  const line = [pdq, flags.quality, ...(flags.label ? [flags.label] : [])].join(',');
  const entries = await parseHashListOrThrow(line, { format: 'pdq', minQuality: bank.minQuality, source: 'arguments' });
  const result = await ctx.banks.import(name, entries, 'cli');
  await writeLine(result.added ? `Added ${entries[0]!.pdq} to ${name}.` : `${name} already holds ${entries[0]!.pdq}.`);
  return EXIT.ok;
}

export async function bankRemove(ctx: AppContext, name: string, pdq: string): Promise<number> {
  const hash = parseInput(pdqHex, pdq, 'PDQ');
  await ctx.banks.remove(name, hash, 'cli');
  await writeLine(`Removed ${hash} from ${name}.`);
  return EXIT.ok;
}
