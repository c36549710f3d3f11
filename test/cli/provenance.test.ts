import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { C2paProvenanceMarker, fixedSigner } from '../../src/provenance/marker.js';
import { changeOnePngPixel, developmentCredentials, gradient } from '../helpers/c2pa.js';
import { runCli } from '../helpers/cli.js';
import { startServerProcess } from '../helpers/server-process.js';
import { tempDir } from '../helpers/tmp.js';

const marker = new C2paProvenanceMarker(fixedSigner(await developmentCredentials()), { name: 'Perisai', version: '0.1.0' });
const OUTPUT = { generator: 'gpt-image-1', decisionId: 'dec_out_1', requestDecisionId: 'dec_req_1', policyVersion: 'perisai-default@abc', visibleLabel: false };

describe('perisai provenance verify', () => {
  test('a signed PNG: exit 0 and what the manifest says; --json gives the same as data', async (t) => {
    const dir = tempDir(t, 'perisai-prov-cli-');
    const file = join(dir, 'out.png');
    writeFileSync(file, (await marker.sign(await gradient('png', 64, 64), OUTPUT)).bytes);
    const human = await runCli(['provenance', 'verify', file]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /C2PA manifest VALID \(PNG\)/);
    assert.match(human.stdout, /signature: +valid, signed by "Perisai development signer \(self-signed, not for production\)"/);
    assert.match(human.stdout, /DEVELOPMENT signer/);
    assert.match(human.stdout, /hash binding: +valid/);
    assert.match(human.stdout, /action: +c2pa\.created, http:\/\/cv\.iptc\.org\/newscodes\/digitalsourcetype\/trainedAlgorithmicMedia, by gpt-image-1/);
    assert.match(human.stdout, /decision: +dec_out_1 \(request dec_req_1\), policy perisai-default@abc/);

    const json = await runCli(['provenance', 'verify', file, '--json']);
    assert.equal(json.code, 0);
    const report = JSON.parse(json.stdout);
    assert.equal(report.valid, true);
    assert.equal(report.generator, 'gpt-image-1');
    assert.equal(report.decisionId, 'dec_out_1');
    assert.equal(report.signer.development, true);
  });

  test('an edited PNG: exit 1 naming the hash binding', async (t) => {
    const dir = tempDir(t, 'perisai-prov-cli-');
    const file = join(dir, 'edited.png');
    writeFileSync(file, changeOnePngPixel((await marker.sign(await gradient('png', 64, 64), OUTPUT)).bytes, 3, 3));
    const result = await runCli(['provenance', 'verify', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /C2PA manifest INVALID/);
    assert.match(result.stdout, /hash binding: +INVALID/);
    assert.match(result.stdout, /- The hash binding does not match/);
  });

  test('an unsigned image: exit 1, no manifest; a missing file: exit 2', async (t) => {
    const dir = tempDir(t, 'perisai-prov-cli-');
    const file = join(dir, 'plain.jpg');
    writeFileSync(file, await gradient('jpeg', 32, 32));
    const result = await runCli(['provenance', 'verify', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /plain\.jpg: no C2PA manifest\n {2}- The image carries no C2PA manifest\./);
    const missing = await runCli(['provenance', 'verify', join(dir, 'nope.png')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Cannot read .*nope\.png \(ENOENT\): check the path/);
  });
});

describe('perisai serve and the development signer', () => {
  test('creates it on first start beside the audit key and warns that it is not for production', async (t) => {
    const dir = tempDir(t, 'perisai-prov-serve-');
    const server = await startServerProcess(join(dir, 'perisai.db'), { PERISAI_AUDIT_KEY_FILE: join(dir, 'audit-key.pem') });
    t.after(() => server.stop());
    assert.match(server.output(), /self-signed development signer, which proves nothing to anyone else: set PERISAI_C2PA_CERT_FILE/);
    assert.match(server.output(), /C2PA: +signer "Perisai development signer \(self-signed, not for production\)" \(.*c2pa-dev-signer\.pem, created now\)/);
    assert.ok(existsSync(join(dir, 'c2pa-dev-signer.pem')));
  });
});
