import { isDigit, isWordChar } from './char-maps.js';

export type TokenKind = 'word' | 'number' | 'mention' | 'boundary';

/** A token of the normalised text; `start`/`end` are offsets into the normalised text. */
export interface Token {
  text: string;
  kind: TokenKind;
  start: number;
  end: number;
}

/** Punctuation that ends a clause: grammar rules never reach across it. */
function isClauseBoundary(ch: string): boolean {
  return (
    ch === '.' || ch === ',' || ch === ';' || ch === ':' || ch === '!' || ch === '?' || ch === '\n' || ch === '|' || ch === '(' || ch === ')' || ch === '।'
  );
}

function isHandleChar(ch: string): boolean {
  return isWordChar(ch) || ch === '_' || ch === '.';
}

/**
 * Splits normalised text into words, numbers, @mentions and clause boundaries. Hyphens and
 * apostrophes separate words ("déshabille-la" → "deshabille", "la"; "l'arrière" → "l",
 * "arriere"), so French elision and Indonesian reduplication need no special case. A word
 * that starts with digits is split from its letters ("14yo" → "14", "yo").
 */
export function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '@' && i + 1 < n && isWordChar(text[i + 1]) && (i === 0 || !isWordChar(text[i - 1]))) {
      let j = i + 1;
      while (j < n && isHandleChar(text[j])) j++;
      while (j > i + 1 && text[j - 1] === '.') j--;
      tokens.push({ text: text.slice(i + 1, j), kind: 'mention', start: i, end: j });
      i = j;
      continue;
    }
    if (isDigit(c)) {
      let j = i;
      while (j < n && isDigit(text[j])) j++;
      tokens.push({ text: text.slice(i, j), kind: 'number', start: i, end: j });
      i = j;
      continue;
    }
    if (isWordChar(c) || (c === '*' && i + 1 < n && isWordChar(text[i + 1]) && i > 0 && isWordChar(text[i - 1]))) {
      let j = i;
      // A high surrogate pair is one character of another script; keep both halves together.
      while (j < n && (isWordChar(text[j]) || (text[j] === '*' && j + 1 < n && isWordChar(text[j + 1])))) j++;
      tokens.push({ text: text.slice(i, j), kind: 'word', start: i, end: j });
      i = j;
      continue;
    }
    if (isClauseBoundary(c)) {
      const last = tokens[tokens.length - 1];
      if (last === undefined || last.kind !== 'boundary') tokens.push({ text: c, kind: 'boundary', start: i, end: i + 1 });
    }
    i++;
  }
  return tokens;
}
