import type { Sexualisation, TextSignalKind } from '../domain/signals.js';
import { sexualisationRank } from '../domain/signals.js';
import type { EntryKind, Hit } from './lexicon.js';
import type { Token } from './tokenise.js';

/**
 * The grammar: how lexicon hits combine into signals. Each rule is small and local (a window
 * of a few words that never crosses a clause boundary), so the whole pass is linear in the
 * number of words.
 */

export interface GrammarInput {
  tokens: readonly Token[];
  hits: readonly Hit[];
  /** Token ranges found by the named-person heuristic. */
  named: ReadonlyArray<{ from: number; to: number }>;
  /** Mentions that are not assistant bots, by token index. */
  mentions: readonly number[];
}

/** Evidence before it is mapped back to the original prompt: token index range instead of offsets. */
export interface RawEvidence {
  signal: TextSignalKind;
  rule: string;
  from: number;
  to: number;
  level?: Sexualisation;
  target?: 'reference' | 'mention' | 'named';
}

const PERSONISH: ReadonlySet<EntryKind> = new Set(['person', 'pronoun', 'reference', 'minor']);
const VERBISH: ReadonlySet<EntryKind> = new Set(['verb', 'dress', 'remove', 'sexual']);
const INTERRUPTS_OBJECT: ReadonlySet<EntryKind> = new Set(['stop', 'verb', 'dress', 'remove']);
const PERSON_OR_BODY: ReadonlySet<EntryKind> = new Set([...PERSONISH, 'body', 'body-context']);
const PERSON_OR_SEXUAL_BODY: ReadonlySet<EntryKind> = new Set([...PERSONISH, 'body']);
const BODY_ANY: ReadonlySet<EntryKind> = new Set(['body', 'body-context']);
const SUBJECTS: ReadonlySet<EntryKind> = new Set(['person', 'pronoun', 'reference', 'minor', 'place']);
const LINKS: ReadonlySet<EntryKind> = new Set(['stop', 'filler', 'dress', 'verb']);

class HitIndex {
  readonly at: Hit[][];
  constructor(
    readonly tokens: readonly Token[],
    hits: readonly Hit[],
  ) {
    this.at = tokens.map(() => []);
    for (const hit of hits) for (let i = hit.from; i < hit.to; i++) this.at[i].push(hit);
  }

  has(i: number, kinds: ReadonlySet<EntryKind> | EntryKind): boolean {
    return this.find(i, kinds) !== undefined;
  }

  find(i: number, kinds: ReadonlySet<EntryKind> | EntryKind): Hit | undefined {
    if (i < 0 || i >= this.at.length) return undefined;
    for (const hit of this.at[i]) if (typeof kinds === 'string' ? hit.entry.kind === kinds : kinds.has(hit.entry.kind)) return hit;
    return undefined;
  }

  isBoundary(i: number): boolean {
    return this.tokens[i]?.kind === 'boundary';
  }

  /** A hit of one of `kinds` within `window` tokens of [from, to), not across a clause boundary. */
  near(from: number, to: number, window: number, kinds: ReadonlySet<EntryKind> | EntryKind, extra?: (i: number) => boolean): Hit | number | undefined {
    // Context inside the phrase counts too ("strip HER down"), but not the phrase itself read
    // as another entry: only hits reaching outside it or strictly inside it.
    for (let i = from; i < to; i++) {
      const inside = this.find(i, kinds);
      if (inside !== undefined && (inside.from < from || inside.to > to || inside.to - inside.from < to - from)) return inside;
    }
    for (let d = 1; d <= window; d++) {
      const i = from - d;
      if (i < 0 || this.isBoundary(i)) break;
      const hit = this.find(i, kinds);
      if (hit !== undefined) return hit;
      if (extra?.(i) === true) return i;
    }
    for (let d = 0; d < window; d++) {
      const i = to + d;
      if (i >= this.tokens.length || this.isBoundary(i)) break;
      const hit = this.find(i, kinds);
      if (hit !== undefined) return hit;
      if (extra?.(i) === true) return i;
    }
    return undefined;
  }
}

export function applyGrammar(input: GrammarInput): RawEvidence[] {
  const { tokens, hits } = input;
  const index = new HitIndex(tokens, hits);
  const out: RawEvidence[] = [];
  const mentionAt = new Set(input.mentions);
  const namedAt = new Set<number>();
  for (const range of input.named) for (let i = range.from; i < range.to; i++) namedAt.add(i);
  const isPersonToken = (i: number): boolean => mentionAt.has(i) || namedAt.has(i);
  const sexual = (hit: Hit, rule: string, level: Sexualisation, from = hit.from, to = hit.to): void => {
    out.push({ signal: 'sexualisation', rule, from: Math.min(from, hit.from), to: Math.max(to, hit.to), level });
  };

  let restraint: Hit | undefined;
  let distress = false;
  let torn = false;
  let firstPerson = Number.POSITIVE_INFINITY;
  const referenceAt = new Set(hits.filter((h) => h.entry.kind === 'reference').map((h) => h.from));
  for (const hit of hits) {
    const generic = hit.entry.kind === 'person' || (hit.entry.kind === 'minor' && !referenceAt.has(hit.from));
    if (generic && hit.from < firstPerson) firstPerson = hit.from;
  }

  for (const hit of hits) {
    const e = hit.entry;
    switch (e.kind) {
      case 'sexual': {
        if (e.level === undefined) break;
        if (e.requires === 'person') {
          // Not face or skin: "exposed skin" is sun advice, "exposed women" is not.
          const ctx = index.near(hit.from, hit.to, 3, PERSON_OR_SEXUAL_BODY, isPersonToken);
          if (ctx === undefined) break;
        }
        sexual(hit, `sexual:${e.id}`, e.level);
        break;
      }
      case 'garment': {
        if (e.level === undefined) break;
        if (e.requires === 'dress') {
          const ctx = index.near(hit.from, hit.to, 4, 'dress');
          if (ctx === undefined) break;
        }
        sexual(hit, `garment:${e.id}`, e.level);
        break;
      }
      case 'modifier':
      case 'torn': {
        const garment = index.near(hit.from, hit.to, 4, 'garment');
        if (garment === undefined || typeof garment === 'number') break;
        if (e.kind === 'torn') torn = true;
        sexual(hit, `${e.kind}:${e.id}+${garment.entry.id}`, e.level ?? 'revealing', garment.from, garment.to);
        break;
      }
      case 'remove': {
        const object = removalObject(index, hit);
        if (object === undefined) break;
        sexual(hit, `remove:${e.id}+${object.entry.id}`, object.entry.removal ?? 'revealing', object.from, object.to);
        break;
      }
      case 'enlarge': {
        const body = index.near(hit.from, hit.to, 4, 'body');
        if (body === undefined || typeof body === 'number') break;
        sexual(hit, `enlarge:${e.id}+${body.entry.id}`, 'suggestive', body.from, body.to);
        break;
      }
      case 'fluid': {
        const ctx = index.near(hit.from, hit.to, 5, PERSON_OR_BODY, isPersonToken);
        if (ctx === undefined) break;
        sexual(hit, `fluid:${e.id}`, e.level ?? 'suggestive');
        break;
      }
      case 'state': {
        const before = hit.from - 1;
        let ok = index.has(before, PERSONISH) || isPersonToken(before) || index.has(hit.to, BODY_ANY);
        for (let i = hit.from + 1; i < hit.to && !ok; i++) ok = index.has(i, 'pronoun');
        if (ok) sexual(hit, `state:${e.id}`, e.level ?? 'suggestive');
        break;
      }
      case 'violence':
        out.push({ signal: 'sexual_violence', rule: `violence:${e.id}`, from: hit.from, to: hit.to });
        break;
      case 'restraint':
        restraint ??= hit;
        break;
      case 'distress':
        distress = true;
        break;
      case 'minor': {
        if (e.requires === 'person') {
          const ctx = index.near(hit.from, hit.to, 2, PERSONISH, isPersonToken);
          if (ctx === undefined) break;
        }
        out.push({ signal: 'minor', rule: `minor:${e.id}`, from: hit.from, to: hit.to });
        break;
      }
      case 'number':
        if (isAge(index, hit.from, hit.to)) out.push({ signal: 'minor', rule: `age:${e.id}`, from: hit.from, to: hit.to + 1 });
        break;
      case 'pronoun': {
        if (e.afterVerb && !index.has(hit.from - 1, VERBISH)) break;
        // "a woman ... her surfboard": the pronoun has an antecedent in the prompt, not in a photo.
        if (!e.afterVerb && hit.from > firstPerson) break;
        out.push({ signal: 'target', rule: `pronoun:${e.id}`, from: hit.from, to: hit.to, target: 'reference' });
        break;
      }
      case 'reference':
        out.push({ signal: 'target', rule: `reference:${e.id}`, from: hit.from, to: hit.to, target: 'reference' });
        break;
      default:
        break;
    }
    if (hit.possessive && e.kind !== 'function' && hit.from <= firstPerson) {
      out.push({ signal: 'target', rule: 'pronoun:possessive-nya', from: hit.from, to: hit.to, target: 'reference' });
    }
  }

  for (let i = 0; i < tokens.length; i++)
    if (tokens[i].kind === 'number' && isAge(index, i, i + 1)) out.push({ signal: 'minor', rule: 'age:digits', from: i, to: i + 1 });
  for (const i of input.mentions) out.push({ signal: 'target', rule: 'mention', from: i, to: i + 1, target: 'mention' });
  for (const range of input.named) out.push({ signal: 'target', rule: 'named-person:capitalised-name', from: range.from, to: range.to, target: 'named' });

  const lowercaseName = lowercaseNameNextToSexualHit(index, out);
  if (lowercaseName !== undefined)
    out.push({ signal: 'target', rule: 'named-person:lowercase-pair', from: lowercaseName, to: lowercaseName + 2, target: 'named' });

  if (restraint !== undefined) {
    let top = 0;
    for (const ev of out) if (ev.level !== undefined) top = Math.max(top, sexualisationRank(ev.level));
    if (distress || torn || top >= sexualisationRank('suggestive')) {
      out.push({
        signal: 'sexual_violence',
        rule: `restraint:${restraint.entry.id}+${distress ? 'distress' : torn ? 'torn-clothing' : 'sexual'}`,
        from: restraint.from,
        to: restraint.to,
      });
    }
  }
  return out;
}

/**
 * The garment a removal verb acts on. After the verb (English, French, Indonesian active)
 * or before it (Hindi, Indonesian passive), skipping fillers and other words, stopping at a
 * clause boundary, a preposition ("remove the stain FROM her shirt") or another verb.
 */
function removalObject(index: HitIndex, verb: Hit): Hit | undefined {
  const direction = verb.entry.object ?? 'after';
  const scan = (step: 1 | -1, limit: number): Hit | undefined => {
    let i = step === 1 ? verb.to : verb.from - 1;
    for (let n = 0; n < limit; n++, i += step) {
      if (i < 0 || i >= index.tokens.length || index.isBoundary(i)) return undefined;
      const garment = index.find(i, 'garment');
      if (garment !== undefined && garment.entry.removal !== undefined) return garment;
      const other = index.find(i, INTERRUPTS_OBJECT);
      if (other !== undefined && other !== verb && other.from !== verb.from) return undefined;
    }
    return undefined;
  };
  if (direction === 'after' || direction === 'both') {
    const found = scan(1, 6);
    if (found !== undefined) return found;
  }
  // A particle after its object ("clothes off") stays close to it; SOV verbs reach further.
  if (direction === 'before' || direction === 'both') return scan(-1, direction === 'before' ? 2 : 4);
  return undefined;
}

/** A number under 18 that is an age: followed by a unit ("14 years old", "13 tahun") or preceded by an age word ("umur 13"). */
function isAge(index: HitIndex, from: number, to: number): boolean {
  const token = index.tokens[from];
  if (token.kind === 'number') {
    const value = Number.parseInt(token.text, 10);
    if (!(value > 0 && value < 18) || token.text.length > 2) return false;
  }
  const unit = index.find(to, 'age-unit');
  if (unit !== undefined && unit.from === to) return !index.has(unit.to, 'comparative');
  const word = index.find(from - 1, 'age-word');
  return word !== undefined && !index.has(to, 'comparative');
}

const NAME_WORD = /^[a-z]{3,}$/;
/** Plurals, participles and adjectives ("volleyball players", "tanned") are not names. */
const NOT_NAME_ENDING = /(?:ers|ing|ies|ists|ful|ous|ed)$/;
const MAX_NAME_PROMPT_WORDS = 8;

/**
 * A name written in lower case ("selena gomez in a bikini"): in a short prompt with no other
 * subject (no person word, pronoun, reference, mention or capitalised name), two consecutive
 * words the lexicon does not know that open the prompt and are followed within three words by
 * revealing or explicit content (only prepositions, fillers and dressing verbs between), or that
 * close the prompt right after such content ("naked taylor swift"). Returns the pair's first
 * token, or undefined.
 */
function lowercaseNameNextToSexualHit(index: HitIndex, out: readonly RawEvidence[]): number | undefined {
  if (out.some((r) => r.signal === 'target' || r.signal === 'minor')) return undefined;
  const wordAt: number[] = [];
  for (let i = 0; i < index.tokens.length; i++) {
    const kind = index.tokens[i].kind;
    if (kind === 'boundary') return undefined;
    if (kind === 'word' || kind === 'number') wordAt.push(i);
  }
  if (wordAt.length < 3 || wordAt.length > MAX_NAME_PROMPT_WORDS) return undefined;
  for (let i = 0; i < index.tokens.length; i++) if (index.has(i, SUBJECTS)) return undefined;
  const isName = (i: number): boolean =>
    i >= 0 &&
    i < index.tokens.length &&
    index.tokens[i].kind === 'word' &&
    index.at[i].length === 0 &&
    NAME_WORD.test(index.tokens[i].text) &&
    !NOT_NAME_ENDING.test(index.tokens[i].text);
  const strong = out.filter((r) => r.signal === 'sexualisation' && r.level !== undefined && sexualisationRank(r.level) >= sexualisationRank('revealing'));
  if (strong.length === 0) return undefined;
  const last = index.tokens.length - 2;
  if (isName(0) && isName(1)) {
    for (const r of strong) {
      if (r.from < 2 || r.from > 5) continue;
      let linked = true;
      for (let i = 2; i < r.from && linked; i++) linked = index.has(i, LINKS);
      if (linked) return 0;
    }
  }
  if (isName(last) && isName(last + 1) && strong.some((r) => r.to === last)) return last;
  return undefined;
}
