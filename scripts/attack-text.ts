/**
 * `npm run attack:text -- FILE.tsv...`: recall of the shipped detector and policy on the harmful
 * rows of labelled request files, as written and under the token-soup attack of
 * `src/text/model/attack.ts` (three seeded attacked versions of each row). The attack is never
 * used for training or for choosing thresholds.
 */
import { readFileSync } from 'node:fs';

import { decideText } from '../src/domain/policy/decide-text.js';
import { loadPolicyFile } from '../src/policy/policy-file.js';
import { createTextDetector } from '../src/text/index.js';
import { tokenSoup } from '../src/text/model/attack.js';
import { expectedDecision, parseLabelledTsv } from '../src/text/model/corpus.js';
import { mulberry32 } from '../src/text/model/random.js';

const VERSIONS = 3;
const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: npm run attack:text -- FILE.tsv...\n');
  process.exit(2);
}
const policy = loadPolicyFile();
const detector = createTextDetector();
const random = mulberry32(4242);
const tally = new Map<string, { clean: number; attacked: number; rows: number; versions: number }>();
const examples: string[] = [];
for (const file of files) {
  for (const row of parseLabelledTsv(readFileSync(file, 'utf8'), file)) {
    if (expectedDecision(row).expected !== 'block') continue;
    const blocked = (text: string): boolean => decideText(policy, detector.analyse(text), row.reference).decision === 'block';
    for (const key of [row.lang, 'all']) {
      const t = tally.get(key) ?? { clean: 0, attacked: 0, rows: 0, versions: 0 };
      tally.set(key, t);
      t.rows++;
      if (blocked(row.text)) t.clean++;
    }
    for (let v = 0; v < VERSIONS; v++) {
      const attacked = tokenSoup(row.text, random);
      const ok = blocked(attacked);
      if (!ok && examples.length < 15) examples.push(attacked);
      for (const key of [row.lang, 'all']) {
        const t = tally.get(key)!;
        t.versions++;
        if (ok) t.attacked++;
      }
    }
  }
}
const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(1)}% (${n}/${of})`;
process.stdout.write(`Token-soup attack on the harmful rows of ${files.join(', ')} (${VERSIONS} attacked versions each):\n`);
for (const [key, t] of [...tally].sort(([a], [b]) => (a === 'all' ? -1 : b === 'all' ? 1 : a.localeCompare(b)))) {
  process.stdout.write(`  ${key.padEnd(4)} recall as written ${pct(t.clean, t.rows).padEnd(20)} under attack ${pct(t.attacked, t.versions)}\n`);
}
process.stdout.write(`Missed under attack, first ${examples.length}:\n${examples.map((e) => `  ${e}`).join('\n')}\n`);
