import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { PerisaiError } from '../../src/domain/errors.js';
import { TEXT_MODEL_HEADS } from '../../src/domain/signals.js';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { createTextDetector } from '../../src/text/index.js';
import { buildIntentModel, corpusKey, readTokens, splitOf } from '../../src/text/model/build.js';
import { CORPUS_LANGUAGES, isBenign, parseCorpusTsv } from '../../src/text/model/corpus.js';
import { extractFeatures, skeleton } from '../../src/text/model/features.js';
import { decodeIntentModel } from '../../src/text/model/intent-model.js';
import { DEFAULT_INTENT_MODEL_PATH, loadIntentModel } from '../../src/text/model/load.js';
import { normalise } from '../../src/text/normalise.js';

const CORPUS_PATH = new URL('../../corpus/text/requests.tsv', import.meta.url);
const THRESHOLDS_PATH = new URL('../../models/text-intent.thresholds.json', import.meta.url);
const corpus = parseCorpusTsv(readFileSync(CORPUS_PATH, 'utf8'), 'requests.tsv');
const model = loadIntentModel();
const detector = createTextDetector();

describe('the shipped text model', () => {
  test('loads from disk, names its version and stays a few MB', () => {
    assert.match(model.version, /^\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
    assert.deepEqual([...model.header.heads].sort(), [...TEXT_MODEL_HEADS].sort());
    assert.ok(statSync(DEFAULT_INTENT_MODEL_PATH).size < 4 * 1024 * 1024);
    assert.equal(
      model.header.provenance.train_rows + model.header.provenance.validation_rows,
      corpus.length,
      'the model was trained on the committed corpus; run npm run train:text',
    );
  });

  test('the shipped policy combines it as the train command chose on the validation split', () => {
    const chosen = JSON.parse(readFileSync(THRESHOLDS_PATH, 'utf8')) as { model: string; text_model: unknown };
    assert.equal(chosen.model, `${model.name}@${model.version}`, 'the thresholds file belongs to another model; run npm run train:text');
    assert.deepEqual(loadPolicyFile().text_model, chosen.text_model, 'copy text_model from models/text-intent.thresholds.json into policies/default.yaml');
  });

  test('scores are deterministic and probabilities', () => {
    for (const row of corpus.slice(0, 200)) {
      const a = model.score(readTokens(row.text));
      const b = loadIntentModel().score(readTokens(row.text));
      assert.deepEqual(a, b);
      for (const head of TEXT_MODEL_HEADS) assert.ok(a[head] >= 0 && a[head] <= 1);
    }
  });

  test('decisions record the model version and its evidence points into the original prompt', () => {
    const prompt = 'Make Her Wear Way Less Fabric 🔥';
    const signals = detector.analyse(prompt);
    assert.equal(signals.model?.version, model.version);
    assert.ok(detector.model !== undefined);
    for (const item of signals.model?.evidence ?? []) {
      assert.equal(item.rule, `model:${model.name}@${model.version}`);
      assert.equal(prompt.slice(item.start, item.end), item.text);
      assert.ok(item.score !== undefined && item.score >= 0.2);
    }
  });

  test('the lexicon alone has no model signals', () => {
    assert.equal(createTextDetector({ model: null }).analyse('put her in a bikini').model, undefined);
  });
});

describe('obfuscation cannot move the model (property)', () => {
  const harmful = corpus.filter((row) => !isBenign(row)).slice(0, 2000);
  const row = fc.constantFrom(...harmful);
  const HOMOGLYPH: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х' };
  const disguises: Array<[string, (text: string, seed: number) => string]> = [
    ['zero-width characters', (t, seed) => [...t].map((ch, i) => ((i + seed) % 3 === 0 ? `${ch}\u200b` : ch)).join('')],
    ['look-alike letters', (t, seed) => [...t].map((ch, i) => ((i + seed) % 2 === 0 ? (HOMOGLYPH[ch] ?? ch) : ch)).join('')],
    ['upper case', (t) => t.toUpperCase()],
    ['full-width letters', (t) => t.replace(/[a-z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x61 + 0xff41))],
    ['soft hyphens and bidi marks', (t, seed) => [...t].map((ch, i) => ((i + seed) % 4 === 0 ? `${ch}\u00ad\u200e` : ch)).join('')],
  ];
  for (const [name, apply] of disguises) {
    test(name, () => {
      fc.assert(
        fc.property(row, fc.nat(7), (r, seed) => {
          const disguised = apply(r.text, seed);
          assert.deepEqual(detector.analyse(disguised).model?.scores, detector.analyse(r.text).model?.scores, disguised);
        }),
        { numRuns: 300 },
      );
    });
  }

  test('features stay inside the normalised text and skeletons are idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const norm = normalise(text).text;
        const f = extractFeatures(readTokens(text), model.header);
        for (let i = 0; i < f.length; i++) {
          assert.ok(f.bucket[i] >= 0 && f.bucket[i] < model.header.buckets);
          assert.ok(f.start[i] >= 0 && f.start[i] < f.end[i] && f.end[i] <= norm.length, `${f.start[i]}..${f.end[i]} of ${norm.length}`);
        }
        for (const word of norm.split(/\s+/)) assert.equal(skeleton(skeleton(word)), skeleton(word));
      }),
      { numRuns: 500 },
    );
  });
});

describe('model files', () => {
  const bytes = readFileSync(DEFAULT_INTENT_MODEL_PATH);

  test('a damaged file is refused with text_model_invalid, never read as a zero model', () => {
    const cases: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array()],
      ['not a model', new TextEncoder().encode('hello world, not a model')],
      ['truncated weights', bytes.subarray(0, bytes.length - 10)],
      ['truncated header', bytes.subarray(0, 20)],
      ['extra bytes', Buffer.concat([bytes, Buffer.from([1, 2, 3])])],
    ];
    for (const [name, damaged] of cases) {
      assert.throws(
        () => decodeIntentModel(damaged, name),
        (e: unknown) => e instanceof PerisaiError && e.code === 'text_model_invalid' && e.message.includes('npm run train:text'),
        name,
      );
    }
  });

  test('a missing file is a typed error naming the path', () => {
    assert.throws(
      () => loadIntentModel('/nonexistent/model.bin'),
      (e: unknown) => e instanceof PerisaiError && e.code === 'text_model_unreadable' && e.message.includes('/nonexistent/model.bin'),
    );
  });

  test('training is reproducible bit for bit', () => {
    const sample = corpus.filter((_, i) => i % 25 === 0);
    const a = buildIntentModel(sample, 'sample', 7);
    const b = buildIntentModel(sample, 'sample', 7);
    assert.deepEqual(Buffer.from(a.bytes), Buffer.from(b.bytes));
    assert.equal(a.model.version, b.model.version);
    assert.notEqual(buildIntentModel(sample, 'sample', 8).model.version, a.model.version, 'another seed gives another model');
    assert.deepEqual(Buffer.from(decodeIntentModel(a.bytes).version), Buffer.from(a.model.version));
  });
});

describe('the corpus', () => {
  test('has the size, languages and benign share the model needs', () => {
    assert.ok(corpus.length >= 12_000, `${corpus.length} rows`);
    for (const lang of CORPUS_LANGUAGES) assert.ok(corpus.filter((r) => r.lang === lang).length >= 1_800, lang);
    const benign = corpus.filter(isBenign);
    assert.ok(benign.length >= 0.4 * corpus.length, `${benign.length} benign`);
    assert.ok(benign.filter((r) => r.hard).length >= benign.length / 3, 'a third of the benign rows are hard negatives');
  });

  test('its split is fixed by the text and its rows are unique', () => {
    const keys = new Set<string>();
    for (const row of corpus) {
      assert.equal(row.split, splitOf(row.text), row.id);
      const key = corpusKey(row.text);
      assert.ok(!keys.has(key), `duplicate: ${row.text}`);
      keys.add(key);
    }
    const validation = corpus.filter((r) => r.split === 'validation').length / corpus.length;
    assert.ok(validation > 0.12 && validation < 0.18, String(validation));
  });
});
