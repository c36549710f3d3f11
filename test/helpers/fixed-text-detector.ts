import type { TextDetector, TextSignals } from '../../src/domain/signals.js';

export const NEUTRAL_TEXT: TextSignals = {
  language: 'en',
  sexualisation: 'none',
  targetsRealPerson: false,
  targetKinds: [],
  minorCues: false,
  sexualViolence: false,
  evidence: [],
};

/** A text detector double: returns the signals configured for a prompt, neutral otherwise, or throws when told to. */
export function fixedTextDetector(byPrompt: Record<string, Partial<TextSignals> | 'throw'> = {}): TextDetector {
  return {
    name: 'fixed-text',
    version: 'test',
    analyse(prompt: string): TextSignals {
      const configured = byPrompt[prompt];
      if (configured === 'throw') throw new Error('detector exploded');
      return { ...NEUTRAL_TEXT, ...configured };
    },
  };
}
