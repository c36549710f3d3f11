export type { EvidenceThresholds, TextTrace } from './detector.js';
export { createTextDetector, LexiconTextDetector } from './detector.js';
export type { EntryKind, Hit, LexiconEntry } from './lexicon.js';
export { ENTRY_KINDS, Lexicon, loadDefaultLexicon, parseLexiconDocument } from './lexicon.js';
export type { NormalisedText } from './normalise.js';
export { normalise, originalSpan } from './normalise.js';
export type { Token, TokenKind } from './tokenise.js';
export { tokenise } from './tokenise.js';
