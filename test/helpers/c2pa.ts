/**
 * Synthetic images, signer credentials and byte-level tampering for the provenance tests. Every
 * image is generated here (gradients); nothing depicts anyone.
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import { crc32, deflateSync, inflateSync } from 'node:zlib';

import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import sharp from 'sharp';

import { createDevelopmentSigner, parseCredentials, type SignerCredentials } from '../../src/provenance/credentials.js';

/** A 256x256 (by default) RGB gradient, PNG without row filters so one raw byte is one pixel channel. */
export async function gradient(format: 'png' | 'jpeg' | 'webp', width = 256, height = 256): Promise<Uint8Array> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = Math.round((x / (width - 1)) * 255);
      raw[i + 1] = Math.round((y / (height - 1)) * 255);
      raw[i + 2] = 128;
    }
  }
  const image = sharp(raw, { raw: { width, height, channels: 3 } });
  const encoded = format === 'png' ? image.png({ adaptiveFiltering: false }) : format === 'jpeg' ? image.jpeg({ quality: 90 }) : image.webp({ quality: 90 });
  return new Uint8Array(await encoded.toBuffer());
}

export async function solid(colour: string, format: 'png' | 'jpeg' = 'png', size = 256): Promise<Uint8Array> {
  const image = sharp({ create: { width: size, height: size, channels: 3, background: colour } });
  return new Uint8Array(await (format === 'png' ? image.png() : image.jpeg()).toBuffer());
}

export async function rgbPixels(bytes: Uint8Array): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

let development: Promise<SignerCredentials> | undefined;

/** The development signer, made once per test file. */
export function developmentCredentials(): Promise<SignerCredentials> {
  development ??= createDevelopmentSigner(new Date()).then((pem) => parseCredentials(pem, pem, { certificate: 'test', key: 'test' }));
  return development;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function pem(der: ArrayBuffer): string {
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/**
 * A CA and a signing certificate it issued, as an operator would configure them: the chain PEM
 * (signing certificate first) and the key PEM. `selfSigned` gives one self-signed certificate
 * instead, which C2PA refuses as a manifest signer.
 */
export async function operatorCertificate(name: string, options: { selfSigned?: boolean } = {}): Promise<{ chain: string; key: string }> {
  const now = new Date(Date.now() - 3_600_000);
  const until = new Date(Date.now() + 365 * 86_400_000);
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const usage = [
    new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
    new ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.4'], false),
    new BasicConstraintsExtension(false, undefined, true),
  ];
  if (options.selfSigned) {
    const cert = await X509CertificateGenerator.createSelfSigned({
      serialNumber: '0a',
      name: [{ CN: [name] }],
      notBefore: now,
      notAfter: until,
      keys,
      signingAlgorithm: EC,
      extensions: usage,
    });
    return { chain: cert.toString('pem'), key: pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
  }
  const caKeys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: [{ CN: [`${name} CA`] }],
    notBefore: now,
    notAfter: until,
    keys: caKeys,
    signingAlgorithm: EC,
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign, true),
      await SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leaf = await X509CertificateGenerator.create({
    serialNumber: '02',
    subject: [{ CN: [name] }],
    issuer: ca.subjectName,
    notBefore: now,
    notAfter: until,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: EC,
    extensions: [...usage, await AuthorityKeyIdentifierExtension.create(ca)],
  });
  return { chain: `${leaf.toString('pem')}\n${ca.toString('pem')}\n`, key: pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

export interface PngChunk {
  type: string;
  /** Offset of the chunk's length field. */
  start: number;
  /** Offset just past its CRC. */
  end: number;
  data: Buffer;
}

export function pngChunks(bytes: Uint8Array): PngChunk[] {
  const buffer = Buffer.from(bytes);
  const chunks: PngChunk[] = [];
  for (let at = 8; at < buffer.length;) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    chunks.push({ type, start: at, end: at + 12 + length, data: buffer.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return chunks;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Recomputes every chunk's CRC, so a PNG edited in place stays a valid PNG. */
export function withFreshCrcs(bytes: Uint8Array): Uint8Array {
  const signature = Buffer.from(bytes.subarray(0, 8));
  return new Uint8Array(Buffer.concat([signature, ...pngChunks(bytes).map((c) => chunk(c.type, c.data))]));
}

/**
 * Changes one channel of one pixel of an unfiltered PNG: inflates the image data, edits one byte,
 * deflates it again into a single IDAT. Every other chunk, the manifest's included, keeps its bytes.
 */
export function changeOnePngPixel(bytes: Uint8Array, x: number, y: number): Uint8Array {
  const chunks = pngChunks(bytes);
  const header = chunks.find((c) => c.type === 'IHDR');
  if (!header) throw new Error('not a PNG');
  const width = header.data.readUInt32BE(0);
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const row = y * (1 + width * 3);
  if (raw[row] !== 0) throw new Error('the test image must be written without row filters');
  const at = row + 1 + x * 3;
  raw[at] = (raw[at] ?? 0) ^ 0x40;
  const idat = chunk('IDAT', deflateSync(raw));
  const out: Buffer[] = [Buffer.from(bytes.subarray(0, 8))];
  let written = false;
  for (const c of chunks) {
    if (c.type !== 'IDAT') out.push(Buffer.from(bytes.subarray(c.start, c.end)));
    else if (!written) {
      out.push(idat);
      written = true;
    }
  }
  return new Uint8Array(Buffer.concat(out));
}

/** Changes one byte of a JPEG's entropy-coded data (the pixels), past the manifest and the headers. */
export function changeJpegScan(bytes: Uint8Array): Uint8Array {
  const out = Buffer.from(bytes);
  let at = 2;
  while (at < out.length) {
    const marker = out.readUInt16BE(at);
    const length = out.readUInt16BE(at + 2);
    if (marker === 0xffda) {
      const scan = at + 2 + length;
      // Well inside the scan, a byte that is not part of a marker and does not become one.
      for (let i = scan + Math.floor((out.length - scan) / 3); i < out.length - 2; i++) {
        if (out[i] !== 0xff && out[i - 1] !== 0xff && (out[i]! ^ 0x01) !== 0xff) {
          out[i] = out[i]! ^ 0x01;
          return new Uint8Array(out);
        }
      }
    }
    at += 2 + length;
  }
  throw new Error('no scan found');
}

/** Replaces the first occurrence of `find` with `replace` (same length) and, for a PNG, fixes the CRCs. */
export function replaceBytes(bytes: Uint8Array, find: Uint8Array, replace: Uint8Array): Uint8Array {
  const buffer = Buffer.from(bytes);
  const at = buffer.indexOf(Buffer.from(find));
  if (at < 0 || find.length !== replace.length) throw new Error('bytes to replace not found');
  Buffer.from(replace).copy(buffer, at);
  return buffer.subarray(1, 4).toString('latin1') === 'PNG' ? withFreshCrcs(buffer) : new Uint8Array(buffer);
}
