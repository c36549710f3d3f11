/**
 * `npm run train:text`: rebuilds `models/text-intent.bin` from `corpus/text/requests.tsv`, bit for
 * bit (seeded), and chooses on the validation split how the policy should combine it with the
 * lexicon, writing the choice to `models/text-intent.thresholds.json`:
 * - each head's threshold is the lowest at which at most B of the validation rows without that
 *   head's label reach it (`thresholdsFor`), for a false-positive budget B;
 * - B and the lexicon veto are the pair, from small grids, whose decisions on the validation
 *   split (the shipped policy, lexicon and model together) have the highest recall on harmful
 *   rows minus false-block rate on benign rows, among the vetoes that keep every lexicon
 *   entry's `examples` at the level the lexicon gives them (the model may overrule the lexicon
 *   on words used innocently, never on what the lexicon was written to catch).
 * Copy `text_model` into the policy; a test holds the shipped policy to it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { combineTextSignals } from '../src/domain/policy/combine-text.js';
import { decideText } from '../src/domain/policy/decide-text.js';
import type { TextModelSettings } from '../src/domain/policy/schema.js';
import { sexualisationRank } from '../src/domain/signals.js';
import { loadPolicyFile } from '../src/policy/policy-file.js';
import { LexiconTextDetector } from '../src/text/detector.js';
import { buildIntentModel, thresholdsFor } from '../src/text/model/build.js';
import { expectedDecision, parseCorpusTsv } from '../src/text/model/corpus.js';

const CORPUS = fileURLToPath(new URL('../corpus/text/requests.tsv', import.meta.url));
const MODEL = fileURLToPath(new URL('../models/text-intent.bin', import.meta.url));
const THRESHOLDS = fileURLToPath(new URL('../models/text-intent.thresholds.json', import.meta.url));
const BUDGET_GRID = [0.01, 0.02, 0.03] as const;
const VETO_GRID = [null, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3] as const;

const started = Date.now();
const source = readFileSync(CORPUS);
const rows = parseCorpusTsv(source.toString('utf8'), CORPUS);
const result = buildIntentModel(rows, createHash('sha256').update(source).digest('hex'));
writeFileSync(MODEL, result.bytes);

const policy = loadPolicyFile();
const detector = new LexiconTextDetector(undefined, result.model);
const lexiconExamples = detector.lexicon.entries.flatMap((entry) => entry.examples).map((text) => detector.analyse(text));
/** How many lexicon examples a veto would lower below the lexicon's own level. */
function examplesLowered(veto: number | null, thresholds: TextModelSettings['thresholds']): number {
  const settings: TextModelSettings = { combine: 'either', lexicon_veto: veto, model_violence_at_least: 'revealing', thresholds };
  return lexiconExamples.filter((signals) => sexualisationRank(combineTextSignals(settings, signals).sexualisation) < sexualisationRank(signals.sexualisation))
    .length;
}
const validation = result.validation.map((v) => ({ ...v, expected: expectedDecision(v.row).expected, signals: detector.analyse(v.row.text) }));
const candidates = BUDGET_GRID.flatMap((budget) => {
  const heads = thresholdsFor(result.validation, budget);
  const thresholds = Object.fromEntries(Object.entries(heads).map(([head, c]) => [head, c.threshold])) as TextModelSettings['thresholds'];
  return VETO_GRID.map((veto) => {
    const settings: TextModelSettings = { combine: 'either', lexicon_veto: veto, model_violence_at_least: 'revealing', thresholds };
    let blocked = 0;
    let harmful = 0;
    let falseBlocks = 0;
    let benign = 0;
    for (const v of validation) {
      const decision = decideText({ ...policy, text_model: settings }, v.signals, v.row.reference).decision;
      if (v.expected === 'block') {
        harmful++;
        if (decision === 'block') blocked++;
      } else {
        benign++;
        if (decision !== 'allow') falseBlocks++;
      }
    }
    return { budget, veto, settings, heads, recall: blocked / harmful, falseBlockRate: falseBlocks / benign, lowered: examplesLowered(veto, thresholds) };
  });
});
const allowed = candidates.filter((c) => c.lowered === 0);
const best = allowed.reduce((a, b) => (b.recall - b.falseBlockRate > a.recall - a.falseBlockRate ? b : a));

writeFileSync(
  THRESHOLDS,
  JSON.stringify(
    {
      model: `${result.model.name}@${result.model.version}`,
      text_model: best.settings,
      heads: best.heads,
      candidates: candidates.map(({ budget, veto, recall, falseBlockRate, lowered }) => ({
        budget,
        veto,
        recall,
        falseBlockRate,
        lexicon_examples_lowered: lowered,
      })),
    },
    null,
    2,
  ) + '\n',
);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
process.stdout.write(
  `trained ${result.model.name}@${result.model.version} on ${result.trainExamples} examples (${rows.length} corpus rows) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
process.stdout.write(`model: ${MODEL} (${result.bytes.length} bytes, sha256 ${createHash('sha256').update(result.bytes).digest('hex')})\n`);
process.stdout.write('validation split, recall on harmful / false blocks on benign, per false-positive budget and lexicon veto:\n');
for (const c of candidates) {
  const note = c === best ? '  <- chosen' : c.lowered > 0 ? `  (lowers ${c.lowered} lexicon examples)` : '';
  process.stdout.write(`  budget ${c.budget}  veto ${String(c.veto).padEnd(6)} ${pct(c.recall)} / ${pct(c.falseBlockRate)}${note}\n`);
}
process.stdout.write('chosen head thresholds (recall and false-positive rate of each head on the validation split):\n');
for (const [head, c] of Object.entries(best.heads)) {
  process.stdout.write(
    `  ${head.padEnd(16)} ${c.threshold === null ? 'off ' : c.threshold.toFixed(2)}  recall ${pct(c.recall)} of ${c.positives}  fpr ${pct(c.falsePositiveRate)} of ${c.negatives}\n`,
  );
}
process.stdout.write(`policy text_model: ${JSON.stringify(best.settings)}\n`);
