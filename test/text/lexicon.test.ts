import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { EntryKind } from '../../src/text/index.js';
import { createTextDetector, parseLexiconDocument } from '../../src/text/index.js';

const detector = createTextDetector();

/** Kinds whose entries raise a signal themselves, so their examples must show up in the evidence. */
const SIGNAL_KINDS: ReadonlySet<EntryKind> = new Set(['sexual', 'modifier', 'torn', 'remove', 'enlarge', 'fluid', 'state', 'violence', 'minor', 'reference']);

describe('lexicon entries are pinned to their examples', () => {
  for (const entry of detector.lexicon.entries) {
    it(`${entry.source} ${entry.id}`, () => {
      for (const example of entry.examples) {
        if (entry.kind === 'bot') {
          // Bots are matched on @mentions, outside the phrase matcher: addressing one is not a target.
          assert.ok(!detector.analyse(example).targetKinds.includes('mention'), `"${example}": the bot counts as a target`);
          continue;
        }
        const trace = detector.trace(example);
        const matched = trace.hits.some((h) => h.entry.id === entry.id);
        assert.ok(matched, `example "${example}" does not match entry ${entry.id}`);
        const evidenced = trace.signals.evidence.some((e) => e.rule.includes(entry.id));
        if (SIGNAL_KINDS.has(entry.kind) || (entry.kind === 'garment' && entry.level !== undefined)) {
          assert.ok(
            evidenced,
            `example "${example}" matches ${entry.id} but raises no evidence from it: ${JSON.stringify(trace.signals.evidence.map((e) => e.rule))}`,
          );
        }
      }
      for (const benign of entry.allow ?? []) {
        assert.equal(detector.analyse(benign).sexualisation, 'none', `allow example "${benign}" of ${entry.id} is sexualised`);
      }
    });
  }
});

describe('lexicon loader', () => {
  it('names the file and entry of a malformed entry', () => {
    assert.throws(
      () => parseLexiconDocument('entries:\n  - id: x\n    kind: nonsense\n    terms: [a]\n    examples: [a]\n', 'bad.yaml'),
      /bad\.yaml, entry 1: x: unknown kind/,
    );
    assert.throws(() => parseLexiconDocument('entries:\n  - id: x\n    kind: sexual\n    terms: [a]\n', 'bad.yaml'), /needs at least one example/);
    assert.throws(() => parseLexiconDocument('nothing: here\n', 'bad.yaml'), /top-level "entries:"/);
  });

  it('has unique ids and at least one entry of every language', () => {
    const ids = detector.lexicon.entries.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const lang of ['en', 'id', 'ms', 'fr', 'hi'] as const)
      assert.ok(
        detector.lexicon.entries.some((e) => e.lang.includes(lang)),
        lang,
      );
  });
});
