import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CoseAlgorithmIdentifier } from '@trustnxt/c2pa-ts/cose';
import sharp from 'sharp';

import { isPerisaiError } from '../../src/domain/errors.js';
import { parseCredentials } from '../../src/provenance/credentials.js';
import { labelBox } from '../../src/provenance/label.js';
import { C2paProvenanceMarker, checkCredentials, fixedSigner } from '../../src/provenance/marker.js';
import { verifyProvenance } from '../../src/provenance/verify.js';
import type { OutputProvenance } from '../../src/services/ports.js';
import {
  changeJpegScan,
  changeOnePngPixel,
  developmentCredentials,
  gradient,
  operatorCertificate,
  pngChunks,
  replaceBytes,
  rgbPixels,
  solid,
} from '../helpers/c2pa.js';

const GENERATOR = { name: 'Perisai', version: '0.1.0' };
const credentials = await developmentCredentials();
const marker = new C2paProvenanceMarker(fixedSigner(credentials), GENERATOR);
const OUTPUT: OutputProvenance = {
  generator: 'gpt-image-1',
  decisionId: 'dec_out_7f3a',
  requestDecisionId: 'dec_req_19c2',
  policyVersion: 'perisai-default@0123456789ab',
  visibleLabel: false,
};
const TRAINED = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';

describe('signing an output and reading the manifest back', () => {
  for (const format of ['png', 'jpeg'] as const) {
    test(`${format}: every field reads back, signature and hash binding valid`, async () => {
      const image = await gradient(format);
      const marked = await marker.sign(image, OUTPUT);
      assert.equal(marked.format, format);
      assert.equal(marked.converted, undefined);
      const report = await verifyProvenance(marked.bytes);
      assert.deepEqual(report.problems, []);
      assert.equal(report.valid, true);
      assert.equal(report.present, true);
      assert.equal(report.format, format);
      assert.equal(report.signatureValid, true);
      assert.equal(report.hashBindingValid, true);
      assert.deepEqual(report.actions, [{ action: 'c2pa.created', digitalSourceType: TRAINED, softwareAgent: 'gpt-image-1' }]);
      assert.equal(report.digitalSourceType, TRAINED);
      assert.equal(report.generator, 'gpt-image-1');
      assert.equal(report.claimGenerator, 'Perisai 0.1.0');
      assert.equal(report.decisionId, 'dec_out_7f3a');
      assert.equal(report.requestDecisionId, 'dec_req_19c2');
      assert.equal(report.policyVersion, 'perisai-default@0123456789ab');
      assert.equal(report.signer?.subject, 'Perisai development signer (self-signed, not for production)');
      assert.equal(report.signer?.issuer, 'Perisai development CA (self-signed, not for production)');
      assert.equal(report.signer?.development, true);
      assert.ok(report.statusCodes.some((s) => s.code === 'assertion.dataHash.match' && s.success));
      // The pixels are untouched: signing adds a manifest, it does not re-encode.
      assert.deepEqual((await rgbPixels(marked.bytes)).data, (await rgbPixels(image)).data);
    });
  }

  test('the manifest holds no prompt and no account: only the fields it was given', async () => {
    const marked = await marker.sign(await gradient('png', 64, 64), OUTPUT);
    const text = Buffer.from(marked.bytes).toString('latin1');
    for (const field of ['prompt', 'requester', 'account']) assert.ok(!text.includes(field), `the manifest mentions ${field}`);
  });

  test('an image without a manifest is reported absent, not valid', async () => {
    const report = await verifyProvenance(await gradient('png', 32, 32));
    assert.equal(report.present, false);
    assert.equal(report.valid, false);
    assert.deepEqual(report.problems, ['The image carries no C2PA manifest.']);
  });
});

describe('tampering breaks validation', () => {
  test('one pixel of a signed PNG changed (manifest bytes kept, CRC recomputed): the hash binding fails, the signature still holds', async () => {
    const marked = (await marker.sign(await gradient('png'), OUTPUT)).bytes;
    const edited = changeOnePngPixel(marked, 100, 60);
    const manifest = (bytes: Uint8Array) => pngChunks(bytes).find((c) => c.type === 'caBX')?.data;
    assert.deepEqual(manifest(edited), manifest(marked), 'the manifest is byte for byte the same');
    const [before, after] = [await rgbPixels(marked), await rgbPixels(edited)];
    let changed = 0;
    for (let i = 0; i < before.data.length; i += 3) if (before.data.subarray(i, i + 3).compare(after.data.subarray(i, i + 3)) !== 0) changed++;
    assert.equal(changed, 1, 'exactly one pixel differs and the file still decodes');

    const report = await verifyProvenance(edited);
    assert.equal(report.valid, false);
    assert.equal(report.signatureValid, true);
    assert.equal(report.hashBindingValid, false);
    assert.match(report.problems.join(' '), /hash binding does not match/);
    assert.equal(report.decisionId, 'dec_out_7f3a', 'what the manifest says is still reported');
  });

  test('the entropy-coded data of a signed JPEG changed: the hash binding fails', async () => {
    const marked = (await marker.sign(await gradient('jpeg'), OUTPUT)).bytes;
    const edited = changeJpegScan(marked);
    assert.notDeepEqual((await rgbPixels(edited)).data, (await rgbPixels(marked)).data);
    const report = await verifyProvenance(edited);
    assert.equal(report.valid, false);
    assert.equal(report.hashBindingValid, false);
    assert.match(report.problems.join(' '), /hash binding does not match/);
  });

  test('a claim edited after signing fails the signature', async () => {
    const marked = (await marker.sign(await gradient('png', 64, 64), OUTPUT)).bytes;
    // The instance id lives in the claim only.
    const text = Buffer.from(marked).toString('latin1');
    const iid = /xmp:iid:[0-9a-f-]{36}/.exec(text)?.[0];
    assert.ok(iid);
    const forged = replaceBytes(marked, Buffer.from(iid, 'latin1'), Buffer.from(`${iid.slice(0, -1)}${iid.endsWith('0') ? '1' : '0'}`, 'latin1'));
    const report = await verifyProvenance(forged);
    assert.equal(report.valid, false);
    assert.equal(report.signatureValid, false);
    assert.match(report.problems.join(' '), /claim signature does not verify/);
  });

  test('a signature edited after signing fails', async () => {
    const marked = (await marker.sign(await gradient('jpeg', 64, 64), OUTPUT)).bytes;
    const { ManifestStore } = await import('@trustnxt/c2pa-ts/manifest');
    const { SuperBox } = await import('@trustnxt/c2pa-ts/jumbf');
    const { JPEG } = await import('@trustnxt/c2pa-ts/asset');
    const store = ManifestStore.read(SuperBox.fromBuffer(new JPEG(marked).getManifestJUMBF() as Uint8Array<ArrayBuffer>));
    const signature = store.getActiveManifest()?.signature?.signatureData.signature;
    assert.ok(signature && signature.length >= 64);
    const flipped = Uint8Array.from(signature);
    flipped[10] = (flipped[10] ?? 0) ^ 0x01;
    const report = await verifyProvenance(replaceBytes(marked, signature, flipped));
    assert.equal(report.signatureValid, false);
    assert.match(report.problems.join(' '), /claim signature does not verify/);
  });

  test("Perisai's decision assertion edited after signing: the assertion no longer matches the claim", async () => {
    const marked = (await marker.sign(await gradient('png', 64, 64), OUTPUT)).bytes;
    const forged = replaceBytes(marked, Buffer.from('dec_out_7f3a'), Buffer.from('dec_out_0000'));
    const report = await verifyProvenance(forged);
    assert.equal(report.valid, false);
    assert.match(report.problems.join(' '), /assertion was changed after signing/);
  });
});

describe('formats', () => {
  test('WebP from the model is converted to PNG, and the result says why', async () => {
    const marked = await marker.sign(await gradient('webp', 64, 64), OUTPUT);
    assert.equal(marked.format, 'png');
    assert.match(marked.converted ?? '', /returned webp, which cannot carry a C2PA manifest here .*converted to PNG/);
    assert.equal((await sharp(marked.bytes).metadata()).format, 'png');
    assert.equal((await verifyProvenance(marked.bytes)).valid, true);
  });

  test('a client asking for WebP gets PNG with the reason; asking for JPEG (or jpg) gets JPEG', async () => {
    const png = await gradient('png', 64, 64);
    const webp = await marker.sign(png, OUTPUT, 'webp');
    assert.equal(webp.format, 'png');
    assert.match(webp.converted ?? '', /webp was asked for/);
    for (const want of ['jpeg', 'JPG']) {
      const jpeg = await marker.sign(png, OUTPUT, want);
      assert.equal(jpeg.format, 'jpeg');
      assert.equal(jpeg.converted, undefined);
      assert.equal((await verifyProvenance(jpeg.bytes)).valid, true);
    }
  });

  test('verify names a format it cannot read', async () => {
    const report = await verifyProvenance(await gradient('webp', 16, 16));
    assert.equal(report.valid, false);
    assert.match(report.problems[0] ?? '', /WebP: C2PA manifests are read from PNG and JPEG/);
  });

  test('bytes that are no image are refused with provenance_failed, nothing returned', async () => {
    await assert.rejects(marker.sign(new Uint8Array([1, 2, 3, 4]), OUTPUT), (error) => isPerisaiError(error) && error.code === 'provenance_failed');
  });
});

describe('the visible label', () => {
  const luminance = (data: Buffer, i: number) => 0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!;

  for (const [name, colour] of [
    ['white', '#ffffff'],
    ['black', '#000000'],
  ] as const) {
    test(`on a ${name} image it changes the label area only, with bright letters on a dark plate`, async () => {
      const image = await solid(colour);
      const labelled = await marker.label(image, { visibleLabel: true });
      const { data, width, height } = await rgbPixels(labelled);
      const box = labelBox(width, height);
      const original = (await rgbPixels(image)).data;
      let inside = 0;
      let bright = 0;
      let dark = 0;
      let outsideChanged = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 3;
          const within = x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
          const differs = original.subarray(i, i + 3).compare(data.subarray(i, i + 3)) !== 0;
          if (!within) {
            if (differs) outsideChanged++;
            continue;
          }
          inside++;
          const l = luminance(data, i);
          if (l > 200) bright++;
          if (l < 70) dark++;
        }
      }
      assert.equal(outsideChanged, 0, 'nothing outside the label box changes');
      // Letters (bright) and plate (dark) both cover a real share of the box: a label that failed
      // to render, or rendered in one colour, fails here.
      assert.ok(bright / inside > 0.12, `bright share ${bright / inside}`);
      assert.ok(dark / inside > 0.4, `dark share ${dark / inside}`);
      assert.ok(box.height >= 12 && box.width > box.height * 5, `box ${JSON.stringify(box)}`);
    });
  }

  test('without the policy asking, the image is returned untouched; labelled JPEG stays JPEG and signs', async () => {
    const image = await solid('#336699', 'jpeg');
    assert.equal(await marker.label(image, { visibleLabel: false }), image);
    const labelled = await marker.label(image, { visibleLabel: true });
    assert.equal((await sharp(labelled).metadata()).format, 'jpeg');
    const marked = await marker.sign(labelled, { ...OUTPUT, visibleLabel: true });
    assert.equal((await verifyProvenance(marked.bytes)).valid, true);
  });
});

describe('credentials', () => {
  test('a self-signed certificate is refused as a manifest signer (C2PA needs a CA-issued one)', async () => {
    const { chain, key } = await operatorCertificate('Lone signer', { selfSigned: true });
    const lone = parseCredentials(chain, key, { certificate: 'cert.pem', key: 'key.pem' });
    assert.equal(lone.algorithm, CoseAlgorithmIdentifier.ES256);
    const problems = await checkCredentials(lone, GENERATOR);
    assert.match(problems.join(' '), /signing certificate is not fit for C2PA/);
  });

  test('the marker reports its signer without signing', () => {
    assert.deepEqual(marker.signer, { subject: 'Perisai development signer (self-signed, not for production)', development: true });
  });
});
