import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { CLAIM_GENERATOR, createAppContext } from '../../src/app-context.js';
import { readConfig } from '../../src/config.js';
import { ManualClock } from '../../src/domain/clock.js';
import { isPerisaiError } from '../../src/domain/errors.js';
import { verifyProvenance } from '../../src/provenance/verify.js';
import { developmentSignerPath, loadSigner, signerInfo } from '../../src/provenance-signer.js';
import { gradient, operatorCertificate } from '../helpers/c2pa.js';
import { tempDir } from '../helpers/tmp.js';

const clock = new ManualClock(new Date('2026-12-01T09:00:00Z'));
const DEV = 'Perisai development signer (self-signed, not for production)';
const OUTPUT = { generator: 'test-model', decisionId: 'dec_o', requestDecisionId: 'dec_r', policyVersion: 'p@1', visibleLabel: false };

const invalidConfig = (pattern: RegExp) => (error: unknown) => isPerisaiError(error) && error.code === 'invalid_config' && pattern.test(error.message);

describe('the development signer', () => {
  test('is created once beside the audit key, owner-only, and reused afterwards', async (t) => {
    const dir = tempDir(t, 'perisai-c2pa-dev-');
    const config = readConfig({}, { db: join(dir, 'perisai.db') });
    const path = developmentSignerPath(config);
    assert.equal(path, join(dir, 'c2pa-dev-signer.pem'), 'beside audit-key.pem');
    assert.deepEqual(signerInfo(config), { subject: DEV, development: true });
    assert.equal(existsSync(path), false, 'asking who signs creates nothing');

    const first = await loadSigner(config, clock, CLAIM_GENERATOR);
    assert.equal(first.created, true);
    assert.equal(first.source, path);
    assert.equal(first.credentials.subject, DEV);
    assert.equal(first.credentials.development, true);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(first.credentials.certificate.notBefore.getTime(), clock.now().getTime() - 3_600_000, 'dated from the injected clock');
    const pem = readFileSync(path, 'utf8');

    const second = await loadSigner(config, clock, CLAIM_GENERATOR);
    assert.equal(second.created, false);
    assert.equal(second.credentials.certificate.serialNumber, first.credentials.certificate.serialNumber);
    assert.equal(readFileSync(path, 'utf8'), pem, 'the file is not rewritten');
  });

  test('follows PERISAI_AUDIT_KEY_FILE, and a file others can read is refused', async (t) => {
    const dir = tempDir(t, 'perisai-c2pa-dev-');
    const config = readConfig({ PERISAI_AUDIT_KEY_FILE: join(dir, 'keys', 'audit.pem') }, { db: join(dir, 'perisai.db') });
    const loaded = await loadSigner(config, clock, CLAIM_GENERATOR);
    assert.equal(loaded.source, join(dir, 'keys', 'c2pa-dev-signer.pem'));
    const { chmodSync } = await import('node:fs');
    chmodSync(loaded.source, 0o644);
    await assert.rejects(loadSigner(config, clock, CLAIM_GENERATOR), invalidConfig(/can be read by other users.*chmod 600/));
  });

  test('the app context signs with it and `provenanceSigner()` says so', async (t) => {
    const dir = tempDir(t, 'perisai-c2pa-ctx-');
    const ctx = await createAppContext(readConfig({}, { db: join(dir, 'perisai.db'), imageDetectors: false }), { clock });
    t.after(() => ctx.close());
    assert.deepEqual(ctx.provenance.signer, { subject: DEV, development: true });
    const marked = await ctx.provenance.sign(await gradient('png', 32, 32), OUTPUT);
    const report = await verifyProvenance(marked.bytes);
    assert.equal(report.valid, true);
    assert.equal(report.signer?.development, true);
    const info = await ctx.provenanceSigner();
    assert.equal(info.created, true, 'created by this context, at its first signature');
    assert.equal(info.source, join(dir, 'c2pa-dev-signer.pem'));
    assert.equal(info.development, true);
  });
});

describe('a configured certificate and key', () => {
  async function files(dir: string, name = 'Example Newsroom image signer') {
    const { chain, key } = await operatorCertificate(name);
    const certFile = join(dir, 'signer.pem');
    const keyFile = join(dir, 'signer.key');
    writeFileSync(certFile, chain);
    writeFileSync(keyFile, key, { mode: 0o600 });
    return { certFile, keyFile };
  }

  test('are used instead of the development signer, and nothing is created', async (t) => {
    const dir = tempDir(t, 'perisai-c2pa-conf-');
    const { certFile, keyFile } = await files(dir);
    const config = readConfig({ PERISAI_C2PA_CERT_FILE: certFile, PERISAI_C2PA_KEY_FILE: keyFile }, { db: join(dir, 'perisai.db'), imageDetectors: false });
    assert.deepEqual(signerInfo(config), { subject: 'Example Newsroom image signer', development: false });
    const ctx = await createAppContext(config, { clock });
    t.after(() => ctx.close());
    const info = await ctx.provenanceSigner();
    assert.deepEqual(info, { source: certFile, created: false, subject: 'Example Newsroom image signer', development: false });
    const report = await verifyProvenance((await ctx.provenance.sign(await gradient('jpeg', 32, 32), OUTPUT)).bytes);
    assert.equal(report.valid, true);
    assert.deepEqual(
      { subject: report.signer?.subject, issuer: report.signer?.issuer, development: report.signer?.development },
      { subject: 'Example Newsroom image signer', issuer: 'Example Newsroom image signer CA', development: false },
    );
    assert.equal(existsSync(developmentSignerPath(config)), false);
  });

  test("a key that is not the certificate's, a key others can read, or a self-signed certificate is invalid_config", async (t) => {
    const dir = tempDir(t, 'perisai-c2pa-bad-');
    const { certFile, keyFile } = await files(dir);
    const other = await operatorCertificate('Someone else');
    const otherKey = join(dir, 'other.key');
    writeFileSync(otherKey, other.key, { mode: 0o600 });
    const db = join(dir, 'perisai.db');
    await assert.rejects(
      loadSigner(readConfig({ PERISAI_C2PA_CERT_FILE: certFile, PERISAI_C2PA_KEY_FILE: otherKey }, { db }), clock, CLAIM_GENERATOR),
      invalidConfig(/does not belong to the first certificate/),
    );
    const open = join(dir, 'open.key');
    writeFileSync(open, readFileSync(keyFile), { mode: 0o644 });
    await assert.rejects(
      loadSigner(readConfig({ PERISAI_C2PA_CERT_FILE: certFile, PERISAI_C2PA_KEY_FILE: open }, { db }), clock, CLAIM_GENERATOR),
      invalidConfig(/can be read by other users/),
    );
    const lone = await operatorCertificate('Lone signer', { selfSigned: true });
    const loneCert = join(dir, 'lone.pem');
    const loneKey = join(dir, 'lone.key');
    writeFileSync(loneCert, lone.chain);
    writeFileSync(loneKey, lone.key, { mode: 0o600 });
    await assert.rejects(
      loadSigner(readConfig({ PERISAI_C2PA_CERT_FILE: loneCert, PERISAI_C2PA_KEY_FILE: loneKey }, { db }), clock, CLAIM_GENERATOR),
      invalidConfig(/cannot sign manifests: The signing certificate is not fit for C2PA/),
    );
    await assert.rejects(
      loadSigner(readConfig({ PERISAI_C2PA_CERT_FILE: join(dir, 'missing.pem'), PERISAI_C2PA_KEY_FILE: keyFile }, { db }), clock, CLAIM_GENERATOR),
      invalidConfig(/Cannot read .*missing\.pem \(ENOENT\)/),
    );
  });

  test('only one of the two set is invalid_config, naming the missing one', () => {
    assert.throws(
      () => readConfig({ PERISAI_C2PA_CERT_FILE: '/etc/perisai/c2pa.pem' }),
      invalidConfig(/PERISAI_C2PA_CERT_FILE is set but PERISAI_C2PA_KEY_FILE is not/),
    );
    assert.throws(
      () => readConfig({ PERISAI_C2PA_KEY_FILE: '/etc/perisai/c2pa.key' }),
      invalidConfig(/PERISAI_C2PA_KEY_FILE is set but PERISAI_C2PA_CERT_FILE is not/),
    );
  });
});
