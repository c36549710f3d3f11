import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { csvEndsQuoted, splitCsvRecord } from '../../src/match/hash-csv.js';
import type { HashEntry, HashListFormat, HashListResult } from '../../src/match/hash-formats.js';
import {
  detectHashListFormat,
  formatHashList,
  hashListLinesAsync,
  parseHashList,
  parseHashListInSlices,
  parseHashListStream,
} from '../../src/match/hash-formats.js';

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
// CR is left out: a CR LF inside a quoted CSV field reads back as LF (documented).
const text = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => !s.includes('\r'));
const oneLine = text.filter((s) => !s.includes('\n'));

const entryArb = (format: HashListFormat): fc.Arbitrary<HashEntry> =>
  (format === 'pdq'
    ? fc.record({ pdq: hex64, quality: fc.integer({ min: 0, max: 100 }), label: oneLine }, { requiredKeys: ['pdq', 'quality'] })
    : fc.record(
        { pdq: hex64, quality: fc.integer({ min: 0, max: 100 }), sha256: hex64, label: text, source: text, category: text, reason: text },
        { requiredKeys: ['pdq', 'quality'] },
      )
  ).map((entry): HashEntry => ({ ...entry })); // plain objects: fast-check's have a null prototype

const listArb = (format: HashListFormat): fc.Arbitrary<HashEntry[]> => fc.uniqueArray(entryArb(format), { selector: (e) => e.pdq, maxLength: 30, size: 'max' });

function entriesOf(result: HashListResult): HashEntry[] {
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.entries;
}

describe('hash list formats', () => {
  for (const format of ['pdq', 'csv', 'jsonl'] as const) {
    it(`parse(serialise(x)) = x for ${format}`, () => {
      fc.assert(
        fc.property(listArb(format), (entries) => {
          const serialised = formatHashList(entries, format);
          const result = parseHashList(serialised, { format });
          assert.deepEqual(entriesOf(result), entries);
          if (entries.length > 0) assert.equal(detectHashListFormat(serialised.split('\n')[0]!), format);
        }),
        { numRuns: 150 },
      );
    });

    it(`streams in arbitrary chunks to the same result (${format})`, async () => {
      await fc.assert(
        fc.asyncProperty(listArb(format), fc.array(fc.nat(), { maxLength: 8 }), async (entries, cuts) => {
          const bytes = Buffer.from(formatHashList(entries, format));
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let at = 0;
          for (const p of [...points, bytes.length]) {
            chunks.push(bytes.subarray(at, p));
            at = p;
          }
          const streamed = await parseHashListStream(
            (async function* () {
              yield* chunks;
            })(),
          );
          assert.deepEqual(streamed, parseHashList(bytes));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('parsed in slices of a few lines, a list reads exactly as parsed whole (multi-line CSV records and errors included)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<HashListFormat>('pdq', 'csv', 'jsonl'),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (format, perSlice, broken) => {
          const entries = fc.sample(listArb(format), 1)[0]!;
          let input = formatHashList(entries, format);
          if (broken) input += 'not-a-hash,100\n';
          assert.deepEqual(await parseHashListInSlices(input, {}, perSlice), parseHashList(input));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('lets the event loop run between slices of a long list', async () => {
    const input = formatHashList(
      Array.from({ length: 50_000 }, (_, i) => ({ pdq: i.toString(16).padStart(64, '0'), quality: 100 })),
      'pdq',
    );
    let ticks = 0;
    let parsing = true;
    const tick = () => {
      ticks++;
      if (parsing) setImmediate(tick);
    };
    setImmediate(tick);
    const result = await parseHashListInSlices(input, {}, 5000);
    parsing = false;
    assert.equal(result.ok && result.entries.length, 50_000);
    assert.ok(ticks >= 9, `only ${ticks} turns of the event loop while parsing ten slices`);
  });

  it('names the line of a bad entry, counting blank lines and the CSV header', () => {
    const bad = fc.constantFrom('abc', 'z'.repeat(64), `${'a'.repeat(63)}`);
    fc.assert(
      fc.property(
        fc.constantFrom<HashListFormat>('pdq', 'csv', 'jsonl'),
        listArb('pdq'),
        fc.nat(),
        bad,
        fc.boolean(),
        (format, entries, at, badHash, blank) => {
          const lines = formatHashList(entries, format).split('\n').slice(0, -1);
          const header = format === 'csv' ? 1 : 0;
          const k = header + (at % (entries.length + 1));
          const badLine = format === 'jsonl' ? JSON.stringify({ pdq: badHash, quality: 100 }) : `${badHash},100`;
          lines.splice(k, 0, badLine);
          if (blank) lines.splice(header, 0, '');
          const result = parseHashList(lines.join('\n'), { format });
          assert.equal(result.ok, false);
          if (!result.ok)
            assert.deepEqual(
              result.errors.map((e) => e.line),
              [k + 1 + (blank ? 1 : 0)],
            );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads what `perisai hash` prints, file names with commas included', () => {
    const h = 'F'.repeat(64);
    const result = parseHashList(`${h},100,photos/a, b.jpg\r\n${'0'.repeat(64)},87,c.png\n\n`);
    assert.deepEqual(result, {
      ok: true,
      format: 'pdq',
      duplicates: 0,
      entries: [
        { pdq: 'f'.repeat(64), quality: 100, label: 'photos/a, b.jpg' },
        { pdq: '0'.repeat(64), quality: 87, label: 'c.png' },
      ],
    });
  });

  it('reads ThreatExchange/HMA style CSV with a signal_type column and quoted fields', () => {
    const h = 'ab'.repeat(32);
    const csv = `\uFEFFSignal_Type,Signal_Value,Tags,Reason\r\npdq,${h},"csam, verified","line one\nline two"\n`;
    assert.deepEqual(entriesOf(parseHashList(csv)), [{ pdq: h, quality: 100, category: 'csam, verified', reason: 'line one\nline two' }]);
    const mixed = parseHashList(`signal_type,signal_value\npdq,${h}\nvideo_md5,d41d8cd98f00b204e9800998ecf8427e\n`);
    assert.deepEqual(!mixed.ok && mixed.errors, [{ line: 3, message: 'signal_type "video_md5" is not PDQ; only PDQ hashes can be imported' }]);
  });

  it('detects the format from the first non-empty line, and can be told', () => {
    assert.equal(detectHashListFormat(`{"pdq":"x"}`), 'jsonl');
    assert.equal(detectHashListFormat(`${'a'.repeat(64)},100`), 'pdq');
    assert.equal(detectHashListFormat('pdq,quality'), 'csv');
    const h = 'c'.repeat(64);
    assert.equal(parseHashList(`\n\n{"pdq":"${h}"}\n`).ok && 'jsonl', 'jsonl');
    const forced = parseHashList(`${h},100\n`, { format: 'jsonl' });
    assert.deepEqual(!forced.ok && forced.errors, [{ line: 1, message: 'not valid JSON; expected one object a line' }]);
  });

  describe('errors', () => {
    const h = 'd'.repeat(64);
    const errorsOf = (input: string, options = {}): Array<{ line: number; message: string }> => {
      const result = parseHashList(input, options);
      assert.equal(result.ok, false);
      return result.ok ? [] : result.errors;
    };

    it('wrong length and non-hex', () => {
      assert.deepEqual(errorsOf(`${h},100\n${h.slice(2)},100\n`), [{ line: 2, message: 'the PDQ hash has 62 characters; expected 64 hexadecimal digits' }]);
      assert.deepEqual(errorsOf(`${h},100\n${h.slice(1)}g,100\n`), [
        { line: 2, message: 'the PDQ hash contains "g" at position 64, which is not a hexadecimal digit' },
      ]);
      assert.deepEqual(errorsOf(`${h}\n`), [{ line: 1, message: 'the quality is missing; expected pdq_hex,quality[,label]' }]);
    });

    it('quality out of range, not an integer, below the minimum', () => {
      assert.deepEqual(errorsOf(`${h},101\n`), [{ line: 1, message: 'quality 101 is out of range 0..100' }]);
      assert.deepEqual(errorsOf(`${h},9.5\n`), [{ line: 1, message: 'quality "9.5" is not an integer 0..100' }]);
      assert.deepEqual(errorsOf(`${h},-3\n`), [{ line: 1, message: 'quality "-3" is not an integer 0..100' }]);
      assert.deepEqual(errorsOf(`${h},49\n`, { minQuality: 50 }), [{ line: 1, message: 'quality 49 is below the minimum of 50' }]);
      assert.deepEqual(errorsOf(`{"pdq":"${h}"}\n`, { minQuality: 50, defaultQuality: 0 }), [{ line: 1, message: 'quality 0 is below the minimum of 50' }]);
    });

    it('drops identical duplicates and reports conflicting ones', () => {
      const ok = parseHashList(`${h},100,a\n${h.toUpperCase()},100,a\n`);
      assert.deepEqual(ok, { ok: true, format: 'pdq', duplicates: 1, entries: [{ pdq: h, quality: 100, label: 'a' }] });
      assert.deepEqual(errorsOf(`${h},100,a\n${h},90,b\n`), [{ line: 2, message: `the hash ${h} already appears on line 1 with a different quality, label` }]);
    });

    it('oversized input, too many lines, and the error cap', () => {
      assert.deepEqual(errorsOf(`${h},100\n`.repeat(10), { maxBytes: 100 }), [{ line: 0, message: 'the list is larger than the limit of 100 bytes' }]);
      assert.deepEqual(errorsOf(`${h},100\n`.repeat(5), { maxLines: 3 }), [{ line: 4, message: 'the list has more than 3 lines' }]);
      const capped = parseHashList('x,1\n'.repeat(50), { maxErrors: 5, format: 'pdq' });
      assert.ok(!capped.ok && capped.errors.length === 5 && capped.truncated);
    });

    it('bad CSV: no hash column, stray quote, unclosed quote, sha256', () => {
      assert.deepEqual(errorsOf('name,quality\nx,1\n'), [
        { line: 1, message: 'the header names no hash column ("name", "quality"); name it pdq, signal_value or hash' },
      ]);
      assert.deepEqual(errorsOf(`pdq,label\n${h},a"b\n`), [
        { line: 2, message: 'a field containing a quote must be quoted as a whole, with the quote doubled' },
      ]);
      assert.deepEqual(errorsOf(`pdq,label\n${h},"open\nstill open\n`), [{ line: 2, message: 'a quoted field is never closed' }]);
      assert.deepEqual(errorsOf(`pdq,sha256\n${h},xyz\n`), [{ line: 2, message: 'sha256 "xyz" is not 64 hexadecimal digits' }]);
    });

    it('bad JSONL: not an object, wrong types', () => {
      assert.deepEqual(errorsOf(`[1]\n`, { format: 'jsonl' }), [{ line: 1, message: 'expected a JSON object' }]);
      assert.deepEqual(errorsOf(`{"pdq":"${h}","label":7}\n`), [{ line: 1, message: 'label must be a string' }]);
    });

    it('an empty list is an error', () => {
      assert.deepEqual(errorsOf('\n \n'), [{ line: 0, message: 'the list is empty' }]);
    });
  });

  it('serialises for export: one hash a line, csv with a header', async () => {
    const entries: HashEntry[] = [{ pdq: 'e'.repeat(64), quality: 90, label: 'a\nb', source: 'ncmec' }];
    const lines: string[] = [];
    for await (const line of hashListLinesAsync(entries, 'pdq')) lines.push(line);
    assert.deepEqual(lines, [`${'e'.repeat(64)},90,a b`]);
    assert.equal(formatHashList(entries, 'csv'), `pdq,quality,sha256,label,source,category,reason\n${'e'.repeat(64)},90,,"a\nb",ncmec,,\n`);
    assert.equal(formatHashList(entries, 'jsonl'), `{"pdq":"${'e'.repeat(64)}","quality":90,"label":"a\\nb","source":"ncmec"}\n`);
  });
});

describe('serialising store rows', () => {
  it('treats null fields as absent', () => {
    const row = { id: 1, pdq: 'a'.repeat(64), quality: 80, sha256: null, label: 'x', source: null, category: null, reason: null, bankId: 2 };
    assert.equal(formatHashList([row], 'jsonl'), `{"pdq":"${'a'.repeat(64)}","quality":80,"label":"x"}\n`);
    assert.equal(formatHashList([row], 'csv').split('\n')[1], `${'a'.repeat(64)},80,,x,,,`);
    assert.equal(formatHashList([row], 'pdq'), `${'a'.repeat(64)},80,x\n`);
  });
});

describe('CSV export against spreadsheet formulas', () => {
  const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
  const text = fc.oneof(
    fc.stringMatching(/^[!-~]([ -~]{0,28}[!-~])?$/),
    fc.constantFrom('=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tx', '\r=1', "'=1", "''+x", "'plain", '=', '-'),
  );
  const entry = fc.record(
    { pdq: hex, quality: fc.integer({ min: 0, max: 100 }), label: text, source: text, category: text, reason: text },
    { requiredKeys: ['pdq', 'quality'] },
  );

  it('no cell starts with = + - @ tab or CR, every row is as wide as the header, and import reads back what export wrote', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 8 }), (entries) => {
        const cleaned = entries.map((e) => ({ ...e })) as HashEntry[];
        const csv = formatHashList(cleaned, 'csv');
        const header = csv.split('\n')[0]!.split(',');
        let pending = '';
        for (const line of csv.split('\n').slice(1, -1)) {
          pending = pending === '' ? line : `${pending}\n${line}`;
          if (csvEndsQuoted(pending, false)) continue;
          const cells = splitCsvRecord(pending);
          pending = '';
          assert.equal(cells.length, header.length, csv);
          for (const cell of cells) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, csv);
        }
        const parsed = parseHashList(csv);
        assert.ok(parsed.ok, JSON.stringify(parsed));
        assert.deepEqual(entriesOf(parsed), cleaned);
      }),
    );
  });

  it('prefixes a formula-like label with one quote', () => {
    const csv = formatHashList([{ pdq: 'c'.repeat(64), quality: 100, label: '=cmd|calc', reason: "'@x" }], 'csv');
    assert.equal(csv.split('\n')[1], `${'c'.repeat(64)},100,,'=cmd|calc,,,''@x`);
  });
});
