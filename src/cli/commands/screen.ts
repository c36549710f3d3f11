import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

import type { AppContext } from '../../app-context.js';
import type { DecisionRecord } from '../../domain/decision-record.js';
import { isPerisaiError, PerisaiError } from '../../domain/errors.js';
import { decisionView } from '../../services/decision-view.js';
import { parseInput } from '../../services/parse-input.js';
import { type ScreenRequest, screenRequestSchema } from '../../services/screen-request.js';
import { EXIT, writeLine } from '../io.js';

export interface ScreenFlags {
  prompt?: string;
  image?: string[];
  subject?: string;
  requester?: string;
  jurisdiction?: string;
  json?: boolean;
  batch?: string;
}

/** `perisai screen --prompt TEXT [--image FILE]...`: one request, recorded like an API call. */
export async function screenOne(ctx: AppContext, flags: ScreenFlags): Promise<number> {
  if (flags.prompt === undefined)
    throw new PerisaiError('invalid_arguments', 'Give the instruction with --prompt TEXT, or a file of requests with --batch FILE.jsonl.');
  const images = await Promise.all(
    (flags.image ?? []).map(async (path) => {
      try {
        return { data: (await readFile(path)).toString('base64') };
      } catch (error) {
        throw new PerisaiError('invalid_arguments', `Cannot read the image ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
      }
    }),
  );
  const request = parseInput(
    screenRequestSchema,
    {
      prompt: flags.prompt,
      images,
      ...(flags.subject ? { subject: flags.subject } : {}),
      ...(flags.requester ? { requester: { id: flags.requester } } : {}),
      ...(flags.jurisdiction ? { jurisdiction: flags.jurisdiction } : {}),
    },
    'arguments',
  );
  const record = await ctx.screening.screenRequest(request, 'cli');
  await writeLine(flags.json ? JSON.stringify(decisionView(record)) : describeDecision(record));
  return record.decision === 'allow' ? EXIT.ok : record.decision === 'block' ? EXIT.blocked : EXIT.review;
}

/**
 * `perisai screen --batch FILE.jsonl`: one request object per line in, one decision per line
 * out, same order. A bad line yields an error object on its output line and the run goes on.
 * A summary line goes to stderr at the end, so stdout stays pure NDJSON for the next program.
 * The exit code follows the single-request codes, worst first: 1 if any line could not be
 * screened, else 3 if any was blocked, else 4 if any was held for review, else 0 (an unreadable
 * file is 2). Lines are screened a few at a time for throughput, with a bounded window so memory
 * stays flat on large files.
 */
export async function screenBatch(ctx: AppContext, path: string): Promise<number> {
  const input = path === '-' ? process.stdin : createReadStream(path);
  const opened = new Promise<void>((resolve, reject) => {
    if (path === '-') resolve();
    input.once('open', () => resolve());
    input.once('error', (error: NodeJS.ErrnoException) =>
      reject(new PerisaiError('invalid_arguments', `Cannot read ${path}: ${error.code ?? error.message}.`)),
    );
  });
  await opened;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const window: Array<Promise<string>> = [];
  const counts = { allow: 0, block: 0, review: 0, errors: 0 };
  let lineNumber = 0;

  const flushOne = async (): Promise<void> => {
    const line = await window.shift()!;
    await writeLine(line);
  };

  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const current = lineNumber;
    window.push(
      screenLine(ctx, line, current, counts).catch((error: unknown) => {
        counts.errors += 1;
        const code = isPerisaiError(error) ? error.code : 'internal';
        const message = isPerisaiError(error) ? error.message : `unexpected error: ${(error as Error).message}`;
        return JSON.stringify({ line: current, error: code, message });
      }),
    );
    if (window.length >= 64) await flushOne();
  }
  while (window.length > 0) await flushOne();
  const screened = counts.allow + counts.block + counts.review + counts.errors;
  process.stderr.write(
    `screened ${screened}: ${counts.allow} allow, ${counts.block} block, ${counts.review} review; ${counts.errors} error${counts.errors === 1 ? '' : 's'}\n`,
  );
  if (counts.errors > 0) return EXIT.failure;
  return counts.block > 0 ? EXIT.blocked : counts.review > 0 ? EXIT.review : EXIT.ok;
}

async function screenLine(ctx: AppContext, line: string, lineNumber: number, counts: Record<'allow' | 'block' | 'review', number>): Promise<string> {
  let body: unknown;
  try {
    body = JSON.parse(line);
  } catch (error) {
    throw new PerisaiError('invalid_json', `Line ${lineNumber} is not valid JSON (${(error as Error).message}).`);
  }
  const request: ScreenRequest = parseInput(screenRequestSchema, body, `line ${lineNumber}`);
  const record = await ctx.screening.screenRequest(request, 'cli');
  counts[record.decision] += 1;
  return JSON.stringify(decisionView(record));
}

function describeDecision(record: DecisionRecord): string {
  const lines = [
    `${record.decision.toUpperCase()}${record.categories.length ? `  ${record.categories.join(', ')}` : ''}   (${record.id}, policy ${record.policyVersion})`,
  ];
  for (const reason of record.reasons) {
    lines.push(`  - ${reason.rule}: ${reason.message}`);
    for (const item of reason.evidence) lines.push(`      ${item.fact}: ${item.text !== undefined ? `"${item.text}" ` : ''}${item.detail}`);
  }
  const text = record.signals.text;
  if (text)
    lines.push(
      `  language ${text.language}, sexualisation ${text.sexualisation}${text.targetsRealPerson ? ', targets a real person' : ''}${text.minorCues ? ', minor cues' : ''}`,
    );
  return lines.join('\n');
}
