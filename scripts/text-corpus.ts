/**
 * `npm run corpus:text -- add WRITER_FILE...`: appends writers' labelled files to the corpus
 * (`corpus/text/requests.tsv`). Each new row gets the next id, the writer's name (the file name
 * without `.tsv`) and its fixed split, drawn from a hash of its normalised text (15% validation),
 * so adding rows never moves an existing row between splits. Rows whose normalised text is
 * already in the corpus are skipped and counted. `npm run corpus:text -- stats` prints the counts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

import { corpusKey, splitOf } from '../src/text/model/build.js';
import type { CorpusRow } from '../src/text/model/corpus.js';
import { CORPUS_COLUMNS, CORPUS_LANGUAGES, formatCorpusRow, isBenign, parseCorpusTsv, parseLabelledTsv } from '../src/text/model/corpus.js';

const CORPUS = fileURLToPath(new URL('../corpus/text/requests.tsv', import.meta.url));

function readCorpus(): CorpusRow[] {
  return existsSync(CORPUS) ? parseCorpusTsv(readFileSync(CORPUS, 'utf8'), CORPUS) : [];
}

function writeCorpus(rows: readonly CorpusRow[]): void {
  writeFileSync(CORPUS, [CORPUS_COLUMNS.join('\t'), ...rows.map(formatCorpusRow)].join('\n') + '\n');
}

function stats(rows: readonly CorpusRow[]): string {
  const lines = [`${rows.length} rows; ${rows.filter((r) => r.split === 'validation').length} validation`];
  const benign = rows.filter(isBenign);
  lines.push(
    `benign ${benign.length} (${((100 * benign.length) / rows.length).toFixed(1)}%), hard negatives ${benign.filter((r) => r.hard).length} (${((100 * benign.filter((r) => r.hard).length) / Math.max(1, benign.length)).toFixed(1)}% of benign)`,
  );
  for (const lang of CORPUS_LANGUAGES) {
    const of = rows.filter((r) => r.lang === lang);
    lines.push(`  ${lang}: ${of.length} rows, ${of.filter(isBenign).length} benign`);
  }
  const writers = new Map<string, number>();
  for (const r of rows) writers.set(r.writer, (writers.get(r.writer) ?? 0) + 1);
  lines.push(`writers: ${[...writers].map(([w, n]) => `${w} ${n}`).join(', ')}`);
  return lines.join('\n');
}

const [command, ...files] = process.argv.slice(2);
const rows = readCorpus();
if (command === 'add') {
  const seen = new Set(rows.map((r) => corpusKey(r.text)));
  let next = rows.reduce((max, r) => Math.max(max, Number(r.id.slice(1))), 0) + 1;
  for (const file of files) {
    const writer = basename(file, '.tsv');
    let added = 0;
    let duplicates = 0;
    for (const labelled of parseLabelledTsv(readFileSync(file, 'utf8'), file)) {
      const key = corpusKey(labelled.text);
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      rows.push({ id: `r${String(next++).padStart(5, '0')}`, split: splitOf(labelled.text), writer, ...labelled });
      added++;
    }
    process.stdout.write(`${file}: ${added} rows added, ${duplicates} duplicates skipped\n`);
  }
  writeCorpus(rows);
  process.stdout.write(`${stats(rows)}\n`);
} else if (command === 'stats') {
  process.stdout.write(`${stats(rows)}\n`);
} else {
  process.stderr.write('usage: npm run corpus:text -- add WRITER_FILE.tsv... | stats\n');
  process.exit(2);
}
