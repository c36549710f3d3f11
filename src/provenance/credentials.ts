/**
 * The signer's credentials: a certificate chain and its private key, parsed from PEM. The
 * library takes them as parameters; where they come from (configured files or the development
 * signer beside the audit key) is `provenance-signer.ts`'s business.
 */
import { createPrivateKey, createPublicKey, type KeyObject, timingSafeEqual, webcrypto } from 'node:crypto';

import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { CoseAlgorithmIdentifier } from '@trustnxt/c2pa-ts/cose';

import { PerisaiError } from '../domain/errors.js';

/**
 * The common name of the development signer. Verifiers recognise it by this name (a manifest
 * carries no other mark of it), so it says plainly what it is.
 */
export const DEVELOPMENT_SIGNER_CN = 'Perisai development signer (self-signed, not for production)';
export const DEVELOPMENT_CA_CN = 'Perisai development CA (self-signed, not for production)';

export interface SignerCredentials {
  certificate: X509Certificate;
  /** Intermediates after the signing certificate (for the development signer: its own CA). */
  chain: X509Certificate[];
  /** The private key as PKCS#8 DER, as c2pa-ts's signer takes it. */
  privateKey: Uint8Array;
  algorithm: CoseAlgorithmIdentifier;
  /** The certificate's common name (or its whole subject when it has none). */
  subject: string;
  development: boolean;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** The common name of a certificate's subject, or the whole subject when it has none. */
export function certificateName(certificate: X509Certificate): string {
  return certificate.subjectName.getField('CN')[0] ?? certificate.subject;
}

export function isDevelopmentCertificate(certificate: X509Certificate): boolean {
  return certificateName(certificate) === DEVELOPMENT_SIGNER_CN;
}

/**
 * Parses a certificate chain (signing certificate first) and its private key. `source` names
 * where they came from in messages. Checks what can be checked without signing: the key
 * belongs to the certificate, and its type is one C2PA allows.
 */
export function parseCredentials(certificatePem: string, keyPem: string, source: { certificate: string; key: string }): SignerCredentials {
  const blocks = certificatePem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new PerisaiError('invalid_config', `${source.certificate} holds no PEM certificate: give the signing certificate first, then its intermediates.`);
  }
  let certificates: X509Certificate[];
  try {
    certificates = blocks.map((block) => new X509Certificate(block));
  } catch (error) {
    throw new PerisaiError('invalid_config', `A certificate in ${source.certificate} cannot be read (${(error as Error).message}): give PEM certificates.`);
  }
  const [certificate, ...chain] = certificates as [X509Certificate, ...X509Certificate[]];
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new PerisaiError('invalid_config', `${source.key} is not a PEM private key: give the certificate's private key in PKCS#8 or SEC1 PEM.`);
  }
  const publicDer = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const certificateDer = Buffer.from(certificate.publicKey.rawData);
  if (publicDer.length !== certificateDer.length || !timingSafeEqual(publicDer, certificateDer)) {
    throw new PerisaiError(
      'invalid_config',
      `The private key in ${source.key} does not belong to the first certificate in ${source.certificate}: give the matching pair.`,
    );
  }
  return {
    certificate,
    chain,
    privateKey: new Uint8Array(key.export({ type: 'pkcs8', format: 'der' })),
    algorithm: coseAlgorithm(key, source.key),
    subject: certificateName(certificate),
    development: isDevelopmentCertificate(certificate),
  };
}

function coseAlgorithm(key: KeyObject, source: string): CoseAlgorithmIdentifier {
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (details?.namedCurve === 'prime256v1') return CoseAlgorithmIdentifier.ES256;
      if (details?.namedCurve === 'secp384r1') return CoseAlgorithmIdentifier.ES384;
      if (details?.namedCurve === 'secp521r1') return CoseAlgorithmIdentifier.ES512;
      break;
    case 'ed25519':
      return CoseAlgorithmIdentifier.Ed25519;
    case 'rsa':
    case 'rsa-pss':
      // C2PA allows RSA only with PSS padding (and keys of 2048 bits or more, checked on use).
      return CoseAlgorithmIdentifier.PS256;
  }
  throw new PerisaiError(
    'invalid_config',
    `The key in ${source} is ${key.asymmetricKeyType}${details?.namedCurve ? ` on ${details.namedCurve}` : ''}: C2PA signs with EC P-256, P-384 or P-521, Ed25519, or RSA.`,
  );
}

/**
 * Creates the development signer: a self-signed CA and a signing certificate it issues. Two
 * certificates because C2PA (and c2pa-ts) refuse a self-signed certificate as the manifest
 * signer; the signing certificate carries the key usages C2PA asks of one (digitalSignature,
 * critical; extended usage emailProtection; not a CA). Valid ten years from `now`.
 * @returns PEM text: the private key, then the signing certificate, then the CA.
 */
export async function createDevelopmentSigner(now: Date): Promise<string> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const subtle = webcrypto.subtle;
  const caKeys = (await subtle.generateKey(algorithm, false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const signerKeys = (await subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  // An hour back, so a verifier whose clock is a little behind does not see a future certificate.
  const notBefore = new Date(now.getTime() - 3_600_000);
  const notAfter = new Date(now.getTime() + 10 * 365 * 86_400_000);
  const ca = await X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [DEVELOPMENT_CA_CN] }, { O: ['Perisai'] }],
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const signer = await X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [DEVELOPMENT_SIGNER_CN] }, { O: ['Perisai'] }],
    issuer: ca.subjectName,
    notBefore,
    notAfter,
    publicKey: signerKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.4'], false),
      await AuthorityKeyIdentifierExtension.create(ca),
      await SubjectKeyIdentifierExtension.create(signerKeys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', signerKeys.privateKey));
  const keyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' });
  // The CA's key was never extractable and is dropped here: nothing can issue another certificate under it.
  return `${keyPem}${signer.toString('pem')}\n${ca.toString('pem')}\n`;
}

function randomSerial(): string {
  // Positive (high bit clear) and 16 bytes, as RFC 5280 asks of serial numbers.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}
