import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';

import { ManualClock } from '../../src/domain/clock.js';
import { parseInput } from '../../src/services/parse-input.js';
import { screenOutputSchema, screenRequestSchema } from '../../src/services/screen-request.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { fakeImageAnalyser } from '../helpers/fake-image-analyser.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';
import { parseXml } from '../helpers/xml-parse.js';

const KEY = randomBytes(32).toString('base64');
// Noise bytes stand for images: the fake analyser never decodes them.
const REPORTED = randomBytes(1500);
const GENERATED = randomBytes(1700);
const GENERATED_PDQ = '69'.repeat(32);

for (const factory of STORE_FACTORIES) {
  describe(`child-safety escalation over HTTP and the CLI on ${factory.name}`, () => {
    const store = useStore(factory);
    const it = testOn(factory);
    const clock = new ManualClock('2026-06-01T10:00:00.000Z');
    const analyser = fakeImageAnalyser();
    let t: TestApp;
    before(async () => {
      if (factory.skip) return;
      analyser.set(REPORTED, { pdq: { hash: 'a5'.repeat(32), quality: 90 } });
      analyser.set(GENERATED, { pdq: { hash: GENERATED_PDQ, quality: 90 } });
      t = await startTestApp(store(), { imageAnalyser: analyser, clock }, { reportRateLimit: 1000, evidenceKey: KEY });
    });
    after(async () => t?.close());

    const send = (method: 'GET' | 'POST', url: string, body?: unknown, key: string = ADMIN_KEY) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    const report = (image: Buffer, id: string) =>
      send('POST', '/v1/reports', { reporter: { type: 'user' }, jurisdiction: 'US', category: 'csam', content: { id, image: image.toString('base64') } });

    it('a csam report keeps its image encrypted; escalating to ncmec builds one package, documented field for field', async () => {
      const res = await report(REPORTED, 'post-csam-1');
      assert.equal(res.statusCode, 201, res.body);
      const caseId = res.json().case_id as string;
      const [kept] = await t.ctx.evidence.list({ caseId });
      assert.ok(kept, 'the reported image was kept as evidence');
      assert.equal(kept.source, 'report');
      assert.equal((await send('GET', `/v1/cases/${caseId}/escalation`)).statusCode, 404);

      const acted = await send('POST', `/v1/cases/${caseId}/actions`, { type: 'escalate', to: 'ncmec', note: 'Reviewed; apparent CSAM.' });
      assert.equal(acted.statusCode, 200, acted.body);
      const event = (acted.json().events as Array<{ kind: string; details: { package?: string } }>).find((e) => e.kind === 'escalate')!;
      assert.match(event.details.package!, /^esc_[0-9a-f]{32}$/);
      assert.equal((await send('GET', `/v1/cases/${caseId}/escalation`, undefined, t.keys.read)).statusCode, 403);
      const got = await send('GET', `/v1/cases/${caseId}/escalation`);
      assert.equal(got.statusCode, 200, got.body);
      const pkg = got.json();
      assert.equal(pkg.id, event.details.package);
      assert.equal(pkg.submitted, false);
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
        components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      };
      assert.deepEqual(Object.keys(pkg).sort(), Object.keys(doc.components.schemas.Escalation!.properties).sort());
      const reportXml = parseXml(pkg.report_xml);
      assert.deepEqual(
        reportXml.children.map((c) => c.name),
        ['incidentSummary', 'reporter', 'additionalInfo'],
        'no account: the ledger does not know this image',
      );
      assert.match(reportXml.children[2]!.text, /Reviewer's note: Reviewed; apparent CSAM\./);
      const file = parseXml(pkg.file_details_xml[0]);
      assert.equal(file.children.find((c) => c.name === 'originalFileHash')!.text, kept.sha256);
      assert.deepEqual(
        pkg.evidence.map((e: { id: string }) => e.id),
        [kept.id],
      );

      const again = await send('POST', `/v1/cases/${caseId}/actions`, { type: 'escalate', to: 'ncmec' });
      assert.equal(again.statusCode, 200);
      assert.equal((await t.ctx.escalations.list({ caseId })).length, 1, 'a case has one package');
    });

    it('a reported copy of an image generated here names the account that asked for it and is annotated generative AI', async () => {
      const request = await t.ctx.screening.screenRequest(
        parseInput(screenRequestSchema, { prompt: 'a lighthouse at dusk', requester: { id: 'acct-gen-7' } }, 'body'),
        'test-key',
      );
      await t.ctx.screening.screenOutput(
        parseInput(screenOutputSchema, { request_id: request.id, image: { data: GENERATED.toString('base64') } }, 'body'),
        'test-key',
      );
      const caseId = (await report(GENERATED, 'post-csam-2')).json().case_id as string;
      assert.equal((await send('POST', `/v1/cases/${caseId}/actions`, { type: 'escalate', to: 'ncmec' })).statusCode, 200);
      const pkg = (await send('GET', `/v1/cases/${caseId}/escalation`)).json();
      const person = parseXml(pkg.report_xml).children.find((c) => c.name === 'personOrUserReported')!;
      assert.equal(person.children.find((c) => c.name === 'espIdentifier')!.text, 'acct-gen-7');
      const file = parseXml(pkg.file_details_xml[0]);
      assert.deepEqual(
        file.children.find((c) => c.name === 'fileAnnotations')!.children.map((c) => c.name),
        ['generativeAi'],
      );
      assert.equal(pkg.trace[0].requester_id, 'acct-gen-7');

      // The CLI writes what a person submits; the pixels only when asked, owner-only.
      const dir = mkdtempSync(join(tmpdir(), 'perisai-escalation-'));
      after(() => rmSync(dir, { recursive: true, force: true }));
      const env = { PERISAI_EVIDENCE_KEY: KEY, ...store().env };
      const out = join(dir, 'pkg');
      const res = await runCli(['escalations', 'export', pkg.id, '--out', out, '--with-evidence', '--db', store().location], { env });
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /has not submitted this report/);
      assert.equal(readFileSync(join(out, 'report.xml'), 'utf8'), pkg.report_xml);
      assert.deepEqual(JSON.parse(readFileSync(join(out, 'trace.json'), 'utf8')), pkg.trace);
      const evidencePath = join(out, `evidence-${pkg.evidence[0].sha256}.bin`);
      assert.deepEqual(readFileSync(evidencePath), GENERATED);
      assert.equal(statSync(evidencePath).mode & 0o077, 0);
      const wrongKey = await runCli(['escalations', 'export', pkg.id, '--out', join(dir, 'b'), '--with-evidence', '--db', store().location], {
        env: { ...env, PERISAI_EVIDENCE_KEY: randomBytes(32).toString('base64') },
      });
      assert.notEqual(wrongKey.code, 0);
      assert.match(wrongKey.stderr, /encrypted with evidence key/);
      const list = await runCli(['evidence', 'list', '--case', caseId, '--db', store().location], { env });
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, new RegExp(pkg.evidence[0].sha256));
    });
  });
}
