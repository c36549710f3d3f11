import { sniffFormat } from '../../src/image/image-format.js';
import type { MarkedImage, OutputProvenance, ProvenanceMarker } from '../../src/services/ports.js';

/**
 * STAND-IN for the C2PA provenance marker (branch helper-P), in this one place: it draws no
 * label and embeds no manifest, returning the bytes unchanged, and records what it was asked to
 * sign so tests can check the guard signs each returned output with its own decision. The lead
 * replaces it with the real marker at merge; nothing outside tests and the guard bench uses it.
 */
export function standInProvenanceMarker(): ProvenanceMarker & { signed: OutputProvenance[] } {
  const signed: OutputProvenance[] = [];
  return {
    signed,
    signer: { subject: 'CN=stand-in (no signature)', development: true },
    label: async (image) => image,
    sign: async (image, provenance): Promise<MarkedImage> => {
      signed.push(provenance);
      return { bytes: image, format: sniffFormat(image) === 'jpeg' ? 'jpeg' : 'png' };
    },
  };
}
