import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { type DecideFn, type EvalDecision, mapLimit, type Rate, rate } from './common.js';
import { parseCsvRecords } from './csv.js';

/**
 * Evaluators for the public sets in `eval/external/` (each under its own MIT licence, see the
 * LICENSE files there). They are prompts for text-to-image models and moderation passages,
 * not edit instructions, so they measure generalisation: every prompt is screened with
 * subject "none" (no reference photo).
 */

export interface CocoReport {
  flagged: Rate;
  /** The first flagged captions, to read what went wrong. */
  examples: Array<{ text: string; categories: string[] }>;
}

export interface RingABellReport {
  recall: Rate;
  missed: string[];
  noNudityFalseFlags?: Rate;
}

export interface ModerationFigures {
  label: string;
  positives: number;
  negatives: number;
  precision: Rate;
  recall: Rate;
}

export interface ExternalReport {
  coco?: CocoReport;
  ringABell?: RingABellReport;
  moderation?: ModerationFigures[];
}

const blocked = (d: EvalDecision): boolean => d.decision === 'block';

/** COCO captions (`coco_10k.csv`, column `prompt`): every flag is a false flag. */
export async function evaluateCocoCaptions(csv: string, decide: DecideFn, options: { limit?: number; concurrency?: number } = {}): Promise<CocoReport> {
  const prompts = parseCsvRecords(csv)
    .map((r) => r.prompt ?? '')
    .filter((p) => p.trim() !== '')
    .slice(0, options.limit);
  const decisions = await mapLimit(prompts, options.concurrency ?? 8, (p) => decide(p, 'none'));
  const examples: CocoReport['examples'] = [];
  let flagged = 0;
  decisions.forEach((d, i) => {
    if (!blocked(d)) return;
    flagged++;
    if (examples.length < 25) examples.push({ text: prompts[i], categories: d.categories });
  });
  return { flagged: rate(flagged, prompts.length), examples };
}

/**
 * Ring-A-Bell concept prompts. The nudity file holds parts (nudity, people, clothes,
 * location); a prompt is those parts joined, leaving out "None". The no-nudity file holds
 * whole prompts in column `prompt`.
 */
export function ringABellPrompts(csv: string): string[] {
  return parseCsvRecords(csv).map((r) => {
    if (r.prompt !== undefined) return r.prompt.trim();
    return [r.nudity, r.people, r.clothes, r.location]
      .map((part) => (part ?? '').trim())
      .filter((part) => part !== '' && part !== 'None')
      .join(' ');
  });
}

export async function evaluateRingABell(nudityCsv: string, decide: DecideFn, noNudityCsv?: string): Promise<RingABellReport> {
  const prompts = ringABellPrompts(nudityCsv);
  const decisions = await mapLimit(prompts, 8, (p) => decide(p, 'none'));
  const missed = prompts.filter((_, i) => !blocked(decisions[i]));
  const report: RingABellReport = { recall: rate(prompts.length - missed.length, prompts.length), missed };
  if (noNudityCsv !== undefined) {
    const clean = ringABellPrompts(noNudityCsv);
    const cleanDecisions = await mapLimit(clean, 8, (p) => decide(p, 'none'));
    report.noNudityFalseFlags = rate(cleanDecisions.filter(blocked).length, clean.length);
  }
  return report;
}

/** Lines of the moderation set; accepts the gzip file's bytes or already decompressed text. */
export function parseModerationSamples(data: Uint8Array | string): Array<{ prompt: string; labels: Record<string, number> }> {
  const text = typeof data === 'string' ? data : gunzipSync(data).toString('utf8');
  const out: Array<{ prompt: string; labels: Record<string, number> }> = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`moderation samples line ${i + 1}: not valid JSON.`);
    }
    const record = parsed as Record<string, unknown>;
    if (typeof record.prompt !== 'string') throw new Error(`moderation samples line ${i + 1}: no "prompt" string.`);
    const labels: Record<string, number> = {};
    for (const [key, value] of Object.entries(record)) if (key !== 'prompt' && typeof value === 'number') labels[key] = value;
    out.push({ prompt: record.prompt, labels });
  });
  return out;
}

/** Precision and recall of "block" against each label; samples where the label is unknown are left out. */
export async function evaluateModeration(data: Uint8Array | string, decide: DecideFn, labels: readonly string[] = ['S', 'S3']): Promise<ModerationFigures[]> {
  const samples = parseModerationSamples(data);
  const decisions = await mapLimit(samples, 8, (s) => decide(s.prompt, 'none'));
  return labels.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let positives = 0;
    let negatives = 0;
    samples.forEach((s, i) => {
      const truth = s.labels[label];
      if (truth === undefined) return;
      const flag = blocked(decisions[i]);
      if (truth === 1) {
        positives++;
        if (flag) tp++;
        else fn++;
      } else {
        negatives++;
        if (flag) fp++;
      }
    });
    return { label, positives, negatives, precision: rate(tp, tp + fp), recall: rate(tp, tp + fn) };
  });
}

/** Reads the files of `eval/external/` under `dir` and runs every evaluator. */
export async function evaluateExternalSets(dir: string, decide: DecideFn, options: { cocoLimit?: number } = {}): Promise<ExternalReport> {
  const read = (path: string): string => readFileSync(join(dir, path), 'utf8');
  return {
    coco: await evaluateCocoCaptions(read('unlearndiffatk/coco_10k.csv'), decide, { limit: options.cocoLimit }),
    ringABell: await evaluateRingABell(
      read('ring-a-bell/Prompts_For_ConceptVector_Nudity_prompt.csv'),
      decide,
      read('ring-a-bell/Prompts_For_ConceptVector_NoNudity_prompt.csv'),
    ),
    moderation: await evaluateModeration(readFileSync(join(dir, 'openai-moderation/samples-1680.jsonl.gz')), decide),
  };
}
