/**
 * The `ProvenanceMarker` the guard marks every allowed output with: the visible label when the
 * policy asks for it, then a signed C2PA manifest. Formats c2pa-ts cannot write (WebP, GIF,
 * AVIF, ...: its writers are JPEG, PNG, HEIF and MP3) are converted to PNG, and the result says so.
 */
import sharp from 'sharp';

import { PerisaiError } from '../domain/errors.js';
import type { MarkedFormat, MarkedImage, OutputProvenance, ProvenanceMarker } from '../services/ports.js';
import type { SignerCredentials } from './credentials.js';
import { drawLabel } from './label.js';
import { type ClaimGenerator, embedManifest } from './manifest.js';
import { verifyProvenance } from './verify.js';

export interface SignerSource {
  /** Who signs, known without loading the key (the guard reports it before the first image). */
  info(): { subject: string; development: boolean };
  /** The credentials, loaded (or created) on first use. */
  credentials(): Promise<SignerCredentials>;
}

/** A signer source over credentials already in hand (tests, benches, a library user). */
export function fixedSigner(credentials: SignerCredentials): SignerSource {
  return { info: () => ({ subject: credentials.subject, development: credentials.development }), credentials: async () => credentials };
}

const JPEG_QUALITY = 92;

export class C2paProvenanceMarker implements ProvenanceMarker {
  constructor(
    private readonly source: SignerSource,
    private readonly generator: ClaimGenerator,
  ) {}

  get signer(): { subject: string; development: boolean } {
    return this.source.info();
  }

  async label(image: Uint8Array, provenance: Pick<OutputProvenance, 'visibleLabel'>): Promise<Uint8Array> {
    return provenance.visibleLabel ? drawLabel(image) : image;
  }

  async sign(image: Uint8Array, provenance: OutputProvenance, want?: string): Promise<MarkedImage> {
    const credentials = await this.source.credentials();
    const input = await formatOf(image);
    const asked = want === undefined ? undefined : normaliseFormat(want);
    let target: MarkedFormat;
    let converted: string | undefined;
    if (asked === 'png' || asked === 'jpeg') {
      target = asked;
    } else if (asked !== undefined) {
      target = 'png';
      converted = `${asked} was asked for, but a C2PA manifest cannot be embedded in ${asked} here (the signer writes PNG and JPEG only), so the image is PNG.`;
    } else if (input === 'png' || input === 'jpeg') {
      target = input;
    } else {
      target = 'png';
      converted = `The model returned ${input}, which cannot carry a C2PA manifest here (the signer writes PNG and JPEG only), so the image was converted to PNG.`;
    }
    try {
      const bytes = input === target ? image : await encode(image, target);
      const marked = await embedManifest(bytes, target, provenance, credentials, this.generator);
      return { bytes: marked, format: target, ...(converted ? { converted } : {}) };
    } catch (error) {
      throw new PerisaiError(
        'provenance_failed',
        `The output could not be signed with a C2PA manifest (${(error as Error).message}); it was not released. Check the signing certificate and key (PERISAI_C2PA_CERT_FILE, PERISAI_C2PA_KEY_FILE).`,
        undefined,
        { cause: error },
      );
    }
  }
}

function normaliseFormat(want: string): string {
  const lower = want.trim().toLowerCase();
  return lower === 'jpg' ? 'jpeg' : lower;
}

async function formatOf(image: Uint8Array): Promise<string> {
  try {
    return String((await sharp(image).metadata()).format);
  } catch (error) {
    throw new PerisaiError(
      'provenance_failed',
      `The output cannot be decoded (${(error as Error).message}), so it cannot be signed; it was not released. Retry the generation.`,
      undefined,
      { cause: error },
    );
  }
}

async function encode(image: Uint8Array, format: MarkedFormat): Promise<Uint8Array> {
  // The EXIF orientation is applied: the re-encoded file carries no EXIF to say it.
  const pipeline = sharp(image).rotate();
  return new Uint8Array(await (format === 'png' ? pipeline.png() : pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: JPEG_QUALITY })).toBuffer());
}

/**
 * Signs a one-pixel image with the credentials and verifies it: a certificate C2PA would reject
 * (self-signed, wrong key usages, expired) is found at start, not on the first output.
 * @returns the problems as sentences; empty when the credentials can sign.
 */
export async function checkCredentials(credentials: SignerCredentials, generator: ClaimGenerator): Promise<string[]> {
  const probe = new Uint8Array(
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
      .png()
      .toBuffer(),
  );
  try {
    const marked = await embedManifest(
      probe,
      'png',
      { generator: 'self-check', decisionId: 'check', requestDecisionId: 'check', policyVersion: 'check' },
      credentials,
      generator,
    );
    return (await verifyProvenance(marked)).problems;
  } catch (error) {
    return [`Signing failed: ${(error as Error).message}.`];
  }
}
