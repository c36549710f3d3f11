export { createTextDetector, LexiconTextDetector } from './detector.js';
export type { EvidenceThresholds, TextTrace } from './detector.js';
export { normalise, originalSpan } from './normalise.js';
export type { NormalisedText } from './normalise.js';
export { tokenise } from './tokenise.js';
export type { Token, TokenKind } from './tokenise.js';
export { Lexicon, loadDefaultLexicon, parseLexiconDocument, ENTRY_KINDS } from './lexicon.js';
export type { EntryKind, Hit, LexiconEntry } from './lexicon.js';
