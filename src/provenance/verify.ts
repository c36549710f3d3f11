/**
 * Reading a C2PA manifest back and saying what it claims and whether it holds: the signature
 * over the claim, the hash binding to the file's bytes, and the integrity of every assertion.
 * Works on any PNG or JPEG, not only Perisai's.
 */
import { type Asset, JPEG, PNG } from '@trustnxt/c2pa-ts/asset';
import { CBORBox, SuperBox } from '@trustnxt/c2pa-ts/jumbf';
import { type Manifest, ManifestStore, type ValidationResult, ValidationStatusCode } from '@trustnxt/c2pa-ts/manifest';
import { z } from 'zod';

import type { MarkedFormat } from '../services/ports.js';
import { certificateName, isDevelopmentCertificate } from './credentials.js';
import { DECISION_ASSERTION_LABEL } from './manifest.js';

export interface ProvenanceAction {
  action: string;
  digitalSourceType: string | null;
  softwareAgent: string | null;
}

export interface ProvenanceSignerReport {
  /** The common name of the signing certificate. */
  subject: string;
  issuer: string;
  notAfter: string;
  /** Perisai's self-signed development signer: anyone can make one, so it proves nothing. */
  development: boolean;
}

export interface ProvenanceReport {
  /** Everything below holds: signature, hash binding, assertions, no problem found. */
  valid: boolean;
  format: MarkedFormat | null;
  /** The file carries a C2PA manifest store. */
  present: boolean;
  /** The claim's signature verifies with a certificate fit for C2PA signing. Not a trust decision: see `trustChecked`. */
  signatureValid: boolean;
  /** The manifest's hard binding (data hash) matches the file's bytes; null without a manifest. */
  hashBindingValid: boolean | null;
  /** Always false: no trust list is consulted (c2pa-ts 0.9.4 has none), so any signer can sign. */
  trustChecked: false;
  claimGenerator: string | null;
  actions: ProvenanceAction[];
  /** The digital source type of the `c2pa.created` action. */
  digitalSourceType: string | null;
  /** The software agent of the `c2pa.created` action: the model that made the image. */
  generator: string | null;
  decisionId: string | null;
  requestDecisionId: string | null;
  policyVersion: string | null;
  signer: ProvenanceSignerReport | null;
  /** Each problem as a sentence; empty when valid. */
  problems: string[];
  /** The validation status codes (C2PA's names), for other tools. */
  statusCodes: Array<{ code: string; success: boolean }>;
}

const decisionSchema = z.object({
  decision_id: z.string(),
  request_decision_id: z.string(),
  policy_version: z.string(),
});

/** The C2PA status codes a reader meets, as sentences that say what they mean. */
const SENTENCES: Partial<Record<ValidationStatusCode, string>> = {
  [ValidationStatusCode.AssertionDataHashMismatch]:
    'The hash binding does not match: the image data was changed after it was signed (even one pixel), so the manifest no longer describes this image.',
  [ValidationStatusCode.AssertionDataHashMalformed]: 'The hash binding (c2pa.hash.data) is malformed, so the image cannot be tied to the manifest.',
  [ValidationStatusCode.ClaimSignatureMismatch]: 'The claim signature does not verify: the claim or its signature was altered after signing.',
  [ValidationStatusCode.ClaimSignatureMissing]: 'The claim has no signature.',
  [ValidationStatusCode.SigningCredentialInvalid]:
    'The signing certificate is not fit for C2PA (self-signed, missing key usages, or a CA): sign with a certificate issued for document signing.',
  [ValidationStatusCode.SigningCredentialExpired]: 'The signing certificate was not valid at the time of signing (expired or not yet valid).',
  [ValidationStatusCode.AssertionHashedURIMismatch]: 'An assertion was changed after signing: its hash no longer matches the one in the claim.',
  [ValidationStatusCode.AssertionMissing]: 'The claim names an assertion the manifest does not contain.',
  [ValidationStatusCode.ClaimHardBindingsMissing]: 'The manifest has no hash binding, so nothing ties it to this image.',
  [ValidationStatusCode.ClaimMissing]: 'The manifest has no claim.',
  [ValidationStatusCode.AlgorithmUnsupported]: 'The manifest was signed with an algorithm C2PA does not allow.',
};

function sentence(code: string, explanation: string | undefined): string {
  const known = SENTENCES[code as ValidationStatusCode];
  if (known) return known;
  return `Validation failed with ${code}${explanation ? ` (${explanation})` : ''}.`;
}

function emptyReport(format: MarkedFormat | null, present: boolean, problems: string[]): ProvenanceReport {
  return {
    valid: false,
    format,
    present,
    signatureValid: false,
    hashBindingValid: null,
    trustChecked: false,
    claimGenerator: null,
    actions: [],
    digitalSourceType: null,
    generator: null,
    decisionId: null,
    requestDecisionId: null,
    policyVersion: null,
    signer: null,
    problems,
    statusCodes: [],
  };
}

/** Names a format c2pa-ts cannot read, for the message. */
function otherFormat(bytes: Uint8Array): string {
  const ascii = Buffer.from(bytes.subarray(0, 12)).toString('latin1');
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'WebP';
  if (ascii.startsWith('GIF8')) return 'GIF';
  if (ascii.slice(4, 8) === 'ftyp') return 'HEIF/AVIF';
  return 'not an image format this command reads';
}

export async function verifyProvenance(bytes: Uint8Array): Promise<ProvenanceReport> {
  const format: MarkedFormat | null = PNG.canRead(bytes) ? 'png' : JPEG.canRead(bytes) ? 'jpeg' : null;
  if (!format) {
    return emptyReport(null, false, [`The file is ${otherFormat(bytes)}: C2PA manifests are read from PNG and JPEG files here.`]);
  }
  let asset: Asset;
  try {
    asset = format === 'png' ? new PNG(bytes) : new JPEG(bytes);
  } catch (error) {
    return emptyReport(format, false, [`The ${format.toUpperCase()} file is malformed (${(error as Error).message}).`]);
  }
  const jumbf = asset.getManifestJUMBF();
  if (!jumbf) return emptyReport(format, false, ['The image carries no C2PA manifest.']);

  let store: ManifestStore;
  let result: ValidationResult;
  try {
    store = ManifestStore.read(SuperBox.fromBuffer(jumbf as Uint8Array<ArrayBuffer>));
    result = await store.validate(asset);
  } catch (error) {
    return emptyReport(format, true, [`The C2PA manifest cannot be read (${(error as Error).message}).`]);
  }
  const manifest = store.getActiveManifest();
  if (!manifest) return emptyReport(format, true, ['The manifest store holds no manifest.']);

  // c2pa-ts checks the hash binding only once the signature holds; it is checked here on its own
  // so a report says both whether the claim is authentic and whether it still describes the bytes.
  const bindings = manifest.assertions?.getHardBindings() ?? [];
  const bindingResults = await Promise.all(bindings.map((binding) => binding.validateAgainstAsset(asset)));
  const hashBindingValid = bindings.length > 0 && bindingResults.every((binding) => binding.isValid);

  const entries = [...result.statusEntries];
  for (const binding of bindingResults) {
    for (const entry of binding.statusEntries) {
      if (!entries.some((seen) => seen.code === entry.code && seen.url === entry.url)) entries.push(entry);
    }
  }
  const failures = entries.filter((entry) => entry.success === false);
  const signatureFailed = failures.some((entry) => /^(claimSignature|signingCredential|algorithm)\./.test(entry.code));
  const signatureValid = !signatureFailed && entries.some((entry) => entry.code === ValidationStatusCode.ClaimSignatureValidated && entry.success !== false);
  const problems = [...new Set(failures.map((entry) => sentence(entry.code, entry.explanation)))];
  if (problems.length === 0 && !hashBindingValid) problems.push(sentence(ValidationStatusCode.ClaimHardBindingsMissing, undefined));

  const actions = readActions(manifest);
  const created = actions.find((action) => action.action === 'c2pa.created') ?? null;
  const decision = readDecision(manifest);
  const certificate = manifest.signature?.signatureData.certificate;
  const claim = manifest.claim;
  return {
    valid: signatureValid && hashBindingValid && result.isValid && problems.length === 0,
    format,
    present: true,
    signatureValid,
    hashBindingValid,
    trustChecked: false,
    claimGenerator: claim ? [claim.claimGeneratorName, claim.claimGeneratorVersion].filter(Boolean).join(' ') || null : null,
    actions,
    digitalSourceType: created?.digitalSourceType ?? null,
    generator: created?.softwareAgent ?? null,
    decisionId: decision?.decision_id ?? null,
    requestDecisionId: decision?.request_decision_id ?? null,
    policyVersion: decision?.policy_version ?? null,
    signer: certificate
      ? {
          subject: certificateName(certificate),
          issuer: certificate.issuerName.getField('CN')[0] ?? certificate.issuer,
          notAfter: certificate.notAfter.toISOString(),
          development: isDevelopmentCertificate(certificate),
        }
      : null,
    problems,
    statusCodes: entries.map((entry) => ({ code: entry.code, success: entry.success !== false })),
  };
}

function readActions(manifest: Manifest): ProvenanceAction[] {
  return (manifest.assertions?.getActionAssertions() ?? []).flatMap((assertion) =>
    assertion.actions.map((action) => ({
      action: action.action,
      digitalSourceType: action.digitalSourceType ?? null,
      softwareAgent: action.softwareAgent?.name ?? null,
    })),
  );
}

/** Perisai's assertion, read from its raw CBOR (c2pa-ts keeps unknown assertions as boxes). */
function readDecision(manifest: Manifest): z.infer<typeof decisionSchema> | null {
  const assertion = manifest.assertions?.getAssertionsByLabel(DECISION_ASSERTION_LABEL)[0];
  const box = assertion?.sourceBox?.contentBoxes[0];
  if (!(box instanceof CBORBox)) return null;
  const parsed = decisionSchema.safeParse(box.content);
  return parsed.success ? parsed.data : null;
}
