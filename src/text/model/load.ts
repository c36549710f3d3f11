import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { PerisaiError } from '../../domain/errors.js';
import type { IntentModel } from './intent-model.js';
import { decodeIntentModel } from './intent-model.js';

/** The model shipped in the repository, rebuilt from `corpus/text/` by `npm run train:text`. */
export const DEFAULT_INTENT_MODEL_PATH = fileURLToPath(new URL('../../../models/text-intent.bin', import.meta.url));

/** Reads a model file from disk (never from the network); a missing or damaged file is a typed error. */
export function loadIntentModel(path: string = DEFAULT_INTENT_MODEL_PATH): IntentModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new PerisaiError(
      'text_model_unreadable',
      `Cannot read the text model ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Rebuild it with \`npm run train:text\`.`,
      { path },
    );
  }
  return decodeIntentModel(bytes, path);
}
