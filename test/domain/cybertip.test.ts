import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import {
  buildPackage,
  escapeXml,
  FILE_DETAILS_ORDER,
  INCIDENT_SUMMARY_ORDER,
  NCMEC_INCIDENT_TYPE_CHILD_PORNOGRAPHY,
  type PackageInput,
  PERSON_REPORTED_ORDER,
  REPORT_ELEMENT_ORDER,
} from '../../src/domain/cybertip.js';
import { type ParsedElement, parseXml, parseXmlDocuments } from '../helpers/xml-parse.js';

const base: PackageInput = {
  incidentAt: '2026-06-01T10:00:00.000Z',
  platform: 'Example Images',
  reportingEmail: 'safety@example.com',
  account: { id: 'acct-42', country: 'US' },
  ipCaptureEvents: [],
  files: [{ evidenceId: 'evd_1', sha256: 'a'.repeat(64), pdq: 'f'.repeat(64), generativeAi: true, receivedAt: '2026-06-01T10:00:00.000Z', note: 'output' }],
  summary: 'Decision dec_1 blocked: minor_sexual.',
};

function names(element: ParsedElement): string[] {
  return element.children.map((child) => child.name);
}

/** True when `seen` is `order` with some names left out (and names may repeat in place). */
function inOrder(seen: string[], order: readonly string[]): boolean {
  let at = 0;
  for (const name of seen) {
    const index = order.indexOf(name, at);
    if (index === -1) return false;
    at = index;
  }
  return true;
}

test('the report and file details carry the schema elements in its order', () => {
  const pkg = buildPackage(base);
  const report = parseXml(pkg.reportXml);
  assert.equal(report.name, 'report');
  assert.deepEqual(names(report), ['incidentSummary', 'reporter', 'personOrUserReported', 'additionalInfo']);
  const summary = report.children[0]!;
  assert.deepEqual(names(summary), ['incidentType', 'platform', 'incidentDateTime']);
  assert.equal(summary.children[0]!.text, NCMEC_INCIDENT_TYPE_CHILD_PORNOGRAPHY);
  assert.equal(summary.children[2]!.text, base.incidentAt);
  const person = report.children[2]!;
  assert.deepEqual(names(person), ['espIdentifier', 'screenName', 'additionalInfo']);
  assert.equal(person.children[0]!.text, 'acct-42');
  assert.equal(pkg.fileDetailsXml.length, 1);
  const file = parseXml(pkg.fileDetailsXml[0]!);
  assert.equal(file.name, 'fileDetails');
  assert.deepEqual(names(file), ['reportId', 'fileId', 'uploadedToEspTimestamp', 'fileAnnotations', 'originalFileHash', 'originalFileHash', 'additionalInfo']);
  assert.deepEqual(names(file.children[3]!), ['generativeAi']);
  assert.deepEqual(file.children[4]!.attributes, { hashType: 'SHA256' });
  assert.equal(file.children[4]!.text, 'a'.repeat(64));
  assert.ok(
    pkg.omitted.some((line) => line.includes('ipCaptureEvent')),
    'the package says IPs are not known',
  );
  assert.ok(pkg.toComplete.some((line) => line.includes('reportId')));
});

test('a user-supplied image is not annotated as generative AI, and an unknown reporter is left to complete', () => {
  const pkg = buildPackage({ ...base, reportingEmail: null, account: null, files: [{ ...base.files[0]!, generativeAi: false, evidenceId: null, pdq: null }] });
  const report = parseXml(pkg.reportXml);
  assert.deepEqual(names(report), ['incidentSummary', 'reporter', 'additionalInfo']);
  assert.deepEqual(names(report.children[1]!), ['reportingPerson']);
  assert.ok(pkg.toComplete.some((line) => line.includes('reportingPerson')));
  const file = parseXml(pkg.fileDetailsXml[0]!);
  assert.ok(!names(file).includes('fileAnnotations'));
  assert.ok(pkg.omitted.some((line) => line.includes('pixels')));
});

test('escaping: markup characters, quotes in attributes, carriage returns and characters XML cannot carry', () => {
  assert.equal(escapeXml('a<b>&c"d', false), 'a&lt;b&gt;&amp;c"d');
  assert.equal(escapeXml('a"b\n', true), 'a&quot;b&#10;');
  assert.equal(escapeXml('x\ry', false), 'x&#13;y');
  assert.equal(escapeXml('\u0000\u0008\uFFFE\uD800', false), '\uFFFD\uFFFD\uFFFD\uFFFD');
  assert.equal(escapeXml('😀é', false), '😀é');
});

test('any strings in: well-formed XML out, text read back unchanged (bar what XML cannot carry), element order fixed', () => {
  // What XML 1.0 can carry survives; everything else became U+FFFD.
  const carried = (text: string) => [...text].map((c) => (/^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]$/u.test(c) ? c : '\uFFFD')).join('');
  // Markup characters, controls and surrogate halves often; any code point sometimes.
  const unit = fc.oneof(
    fc.constantFrom('&', '<', '>', '"', "'", '\r', '\n', '\t', '\u0000', '\u001f', '\uD800', '\uFFFE', ']]>'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  );
  const text = fc.string({ unit, maxLength: 40 });
  const inputs = fc.sample(
    fc.record({
      incidentAt: text,
      platform: fc.option(text, { nil: null }),
      reportingEmail: fc.option(text, { nil: null }),
      account: fc.option(fc.record({ id: text, country: fc.option(text, { nil: null }) }), { nil: null }),
      ipCaptureEvents: fc.array(fc.record({ ipAddress: text, eventName: text, dateTime: text }), { maxLength: 2 }),
      files: fc.array(
        fc.record({
          evidenceId: fc.option(text, { nil: null }),
          sha256: text,
          pdq: fc.option(text, { nil: null }),
          generativeAi: fc.boolean(),
          receivedAt: text,
          note: text,
        }),
        { maxLength: 3 },
      ),
      summary: text,
    }),
    { numRuns: 300, seed: 1313 },
  );
  const packages = inputs.map((input) => buildPackage(input));
  const parsed = parseXmlDocuments(packages.flatMap((pkg) => [pkg.reportXml, ...pkg.fileDetailsXml]));
  let at = 0;
  for (const [i, input] of inputs.entries()) {
    const report = parsed[at++]!;
    assert.ok(report.ok, `report ${i} is well-formed: ${report.ok ? '' : report.error}`);
    const root = report.root;
    assert.ok(inOrder(names(root), REPORT_ELEMENT_ORDER), `report order: ${names(root).join(',')}`);
    assert.ok(inOrder(names(root.children[0]!), INCIDENT_SUMMARY_ORDER));
    assert.equal(root.children[0]!.children.at(-1)!.text, carried(input.incidentAt));
    assert.equal(root.children.at(-1)!.text, carried(input.summary));
    const person = root.children.find((c) => c.name === 'personOrUserReported');
    assert.equal(person !== undefined, input.account !== null);
    if (person && input.account) {
      assert.ok(inOrder(names(person), PERSON_REPORTED_ORDER));
      assert.equal(person.children[0]!.text, carried(input.account.id));
    }
    for (const file of input.files) {
      const details = parsed[at++]!;
      assert.ok(details.ok, `file details of ${i} are well-formed: ${details.ok ? '' : details.error}`);
      assert.ok(inOrder(names(details.root), FILE_DETAILS_ORDER), `file details order: ${names(details.root).join(',')}`);
      assert.equal(details.root.children.find((c) => c.name === 'originalFileHash')!.text, carried(file.sha256));
      assert.equal(details.root.children.at(-1)!.text, carried(file.note));
    }
  }
  assert.equal(at, parsed.length);
});
