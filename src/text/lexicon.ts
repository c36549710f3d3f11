import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { parse } from 'yaml';

import type { Language, Sexualisation } from '../domain/signals.js';
import { SEXUALISATION_LEVELS } from '../domain/signals.js';
import type { Candidate } from './morphology.js';
import { ALL_LANGUAGES, candidateKeys, LANGUAGE_BITS, looseKey, squeeze } from './morphology.js';
import { normalise } from './normalise.js';
import { tokenise } from './tokenise.js';

/**
 * What a lexicon entry does in the grammar. Each kind is described for analysts in
 * `docs/text-detector.md`; the grammar in `grammar.ts` gives each its meaning.
 */
export const ENTRY_KINDS = [
  'sexual', // sexual on its own at `level` (naked, porn, sexy, bend over); with `requires`, only in that context
  'garment', // clothing; `level` if wearing it is revealing, `removal` for the level of taking it off
  'remove', // removal verbs and absence words (remove, lepas, enlève, utaar, without, tanpa)
  'dress', // dressing verbs (wear, pakaikan, mets, pehna), context for garment euphemisms
  'modifier', // makes a nearby garment revealing (transparent, tighter, shorter)
  'torn', // torn clothing: revealing, and a sign of violence next to restraint
  'body', // sexual body parts (breasts, payudara, seins): with enlarge, a sexual body edit
  'body-context', // face, skin, legs: context for fluids and weak words, never sexual alone
  'enlarge', // bigger, gedein, plus gros: with a body part, a sexual body edit
  'fluid', // euphemisms for sexual fluids (glaze, white sauce): with a face, body or person
  'state', // wet, oiled: sexual right after a person ("make her wet")
  'violence', // sexual violence on its own (rape, groped, diperkosa)
  'restraint', // tied up, terikat, attachée: violence when with distress, torn clothes or sexual content
  'distress', // crying, menangis, en pleurs
  'minor', // minor cues (child nouns, school levels, loli); with `requires: person`, only next to a person
  'number', // number words with `value` (twelve, dua belas, treize, barah)
  'age-unit', // years old, tahun, ans, saal: after a number, an age
  'age-word', // age, umur, usia, âgée de: before a number, an age
  'comparative', // older, lebih, plus: "20 years older" is not an age
  'person', // generic person nouns (woman, wanita, femme, aurat): context, and antecedents of pronouns
  'pronoun', // pronouns that point at the person in the photo (her, dia, la, iske)
  'reference', // phrases that point at a real person (this girl, cewek ini, my coworker)
  'verb', // general edit verbs (make, put, show, mets, bikin): French object pronouns follow them
  'filler', // determiners, possessives, particles skipped inside phrases and object scans
  'stop', // prepositions that end an object scan ("remove the stain FROM her shirt")
  'benign', // idioms that hide a sexual word ("naked eye", "strip mall", "breast cancer")
  'bot', // AI assistants addressed by @mention: not a target
  'place', // place words: a capitalised name ending in one is not a person ("Bondi Beach")
  'function', // function words for language identification
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export const REQUIREMENTS = ['person', 'garment', 'body', 'dress', 'person-before'] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

export interface LexiconEntry {
  id: string;
  kind: EntryKind;
  lang: Language[];
  terms: string[];
  level?: Sexualisation;
  removal?: Sexualisation;
  requires?: Requirement;
  /** For `remove`: where the garment stands relative to the verb. */
  object?: 'after' | 'before' | 'both';
  /** For `pronoun`: counts only right after a verb (French "mets-la"). */
  afterVerb?: boolean;
  /** Counts only when the prompt's language is one of `lang` (Hindi "use" is English "use"). */
  strictLang?: boolean;
  value?: number;
  examples: string[];
  /** Benign prompts containing a term of this entry that must stay at sexualisation none. */
  allow?: string[];
  source: string;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  entries: LexiconEntry[];
}

/** A lexicon word a prompt word may stand for, and in which languages that reading holds. */
export type Reading = Candidate;

export function languageMask(langs: readonly Language[]): number {
  let mask = 0;
  for (const l of langs) mask |= LANGUAGE_BITS[l];
  return mask === 0 ? ALL_LANGUAGES : mask;
}

export interface Hit {
  entry: LexiconEntry;
  /** Token indices, end exclusive. */
  from: number;
  to: number;
  /** The first word was matched through an Indonesian/Malay possessive "-nya". */
  possessive: boolean;
}

const MAX_FILLER_SKIP = 2;

/** A compiled lexicon: every entry's terms in a token trie, plus indexes for disguised spellings. */
export class Lexicon {
  readonly entries: readonly LexiconEntry[];
  private readonly root: TrieNode = { children: new Map(), entries: [] };
  private readonly vocabulary = new Set<string>();
  private readonly bySqueezed = new Map<string, string[]>();
  private readonly byLoose = new Map<string, string[]>();
  private readonly byLength = new Map<number, string[]>();
  private readonly fillers = new Set<string>();
  private readonly resolveCache = new Map<string, readonly Reading[]>();
  private readonly entryMask = new Map<LexiconEntry, number>();

  constructor(entries: readonly LexiconEntry[]) {
    this.entries = entries;
    for (const entry of entries) {
      this.entryMask.set(entry, languageMask(entry.lang));
      for (const term of entry.terms) {
        const words = termWords(term);
        if (words.length === 0) throw new Error(`Lexicon entry ${entry.id} (${entry.source}): term "${term}" has no words after normalisation.`);
        let node = this.root;
        for (const word of words) {
          this.addWord(word);
          let child = node.children.get(word);
          if (child === undefined) {
            child = { children: new Map(), entries: [] };
            node.children.set(word, child);
          }
          node = child;
        }
        if (!node.entries.includes(entry)) node.entries.push(entry);
        if (entry.kind === 'filler' && words.length === 1) this.fillers.add(words[0]);
      }
    }
  }

  private addWord(word: string): void {
    if (this.vocabulary.has(word)) return;
    this.vocabulary.add(word);
    push(this.bySqueezed, squeeze(word), word);
    push(this.byLoose, looseKey(word), word);
    push(this.byLength, word.length, word);
  }

  /** The lexicon words a (possibly disguised or affixed) word may stand for, best first. */
  resolve(word: string, disguised: boolean): readonly Reading[] {
    const cacheKey = disguised ? '\u0001' + word : word;
    const known = this.resolveCache.get(cacheKey);
    if (known !== undefined) return known;
    const out = new Map<string, number>();
    const add = (w: string, mask: number): void => {
      out.set(w, (out.get(w) ?? 0) | mask);
    };
    for (const candidate of candidateKeys(word, disguised)) {
      if (this.vocabulary.has(candidate.key)) add(candidate.key, candidate.mask);
      // Squeezed and loose readings only for disguised words: plain English doubles
      // ("putting") must not fall onto other words ("puting").
      if (disguised) {
        for (const w of this.bySqueezed.get(squeeze(candidate.key)) ?? []) add(w, candidate.mask);
        for (const w of this.byLoose.get(looseKey(candidate.key)) ?? []) add(w, candidate.mask);
      }
    }
    if (word.includes('*')) for (const w of this.byLength.get(word.length) ?? []) if (wildcardMatch(word, w)) add(w, ALL_LANGUAGES);
    const readings = [...out].map(([key, mask]) => ({ key, mask }));
    if (this.resolveCache.size > 100_000) this.resolveCache.clear();
    this.resolveCache.set(cacheKey, readings);
    return readings;
  }

  /** Entries of a terminal node that may be read in the languages of `mask`. */
  private accepted(node: TrieNode, mask: number): LexiconEntry[] {
    if (mask === ALL_LANGUAGES) return node.entries;
    return node.entries.filter((e) => ((this.entryMask.get(e) ?? ALL_LANGUAGES) & mask) !== 0);
  }

  /** Entries whose term is exactly this one lexicon word. */
  singleWordEntries(word: string): readonly LexiconEntry[] {
    return this.root.children.get(word)?.entries ?? [];
  }

  isFillerWord(word: string): boolean {
    return this.fillers.has(word);
  }

  /**
   * Greedy left-to-right longest match of the lexicon's terms over the words. Fillers ("her",
   * "the", "nya") may stand between the words of a phrase: "spread her legs" matches "spread legs".
   */
  match(words: ReadonlyArray<{ text: string; disguised: boolean; isWord: boolean }>): Hit[] {
    const hits: Hit[] = [];
    const keys = words.map((w) => (w.isWord ? this.resolve(w.text, w.disguised) : []));
    let i = 0;
    while (i < words.length) {
      let best: { entries: LexiconEntry[]; to: number; possessive: boolean } | null = null;
      for (const first of keys[i]) {
        const start = this.root.children.get(first.key);
        if (start === undefined) continue;
        const possessive = first.key !== words[i].text && words[i].text.endsWith('nya') && !first.key.endsWith('nya');
        // Depth-first along the trie; phrases are short, so this is bounded per position.
        type Step = { node: TrieNode; at: number; skips: number; skipped: boolean; mask: number };
        const stack: Step[] = [{ node: start, at: i + 1, skips: 0, skipped: false, mask: first.mask }];
        while (stack.length > 0) {
          const { node, at, skips, skipped, mask } = stack.pop() as Step;
          // A phrase ends on one of its own words, never on a skipped filler.
          if (!skipped && node.entries.length > 0 && (best === null || at > best.to)) {
            const entries = this.accepted(node, mask);
            if (entries.length > 0) best = { entries, to: at, possessive };
          }
          if (at >= words.length || node.children.size === 0) continue;
          for (const reading of keys[at]) {
            const child = node.children.get(reading.key);
            if (child !== undefined) stack.push({ node: child, at: at + 1, skips, skipped: false, mask: mask & reading.mask });
          }
          if (skips < MAX_FILLER_SKIP && words[at].isWord && keys[at].some((k) => this.fillers.has(k.key)))
            stack.push({ node, at: at + 1, skips: skips + 1, skipped: true, mask });
        }
      }
      if (best === null) {
        i++;
        continue;
      }
      for (const entry of best.entries) hits.push({ entry, from: i, to: best.to, possessive: best.possessive });
      i = best.to;
    }
    return hits;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function wildcardMatch(pattern: string, word: string): boolean {
  for (let i = 0; i < pattern.length; i++) if (pattern[i] !== '*' && pattern[i] !== word[i]) return false;
  return true;
}

/** A term goes through the same normaliser and tokeniser as prompts, so analysts write natural text. */
export function termWords(term: string): string[] {
  return tokenise(normalise(term).text)
    .filter((t) => t.kind === 'word' || t.kind === 'number')
    .map((t) => t.text);
}

const LANGS: readonly string[] = ['en', 'id', 'ms', 'fr', 'hi', 'unknown'];

function fail(source: string, index: number, message: string): never {
  throw new Error(`Lexicon ${source}, entry ${index + 1}: ${message}`);
}

function stringList(value: unknown, source: string, index: number, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' && typeof v !== 'number')) fail(source, index, `"${field}" must be a list of strings.`);
  return (value as Array<string | number>).map(String);
}

/** Validates one YAML document of entries; errors name the file and entry so an analyst can fix them. */
export function parseLexiconDocument(text: string, source: string): LexiconEntry[] {
  const doc: unknown = parse(text);
  const list = (doc as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(list)) throw new Error(`Lexicon ${source}: expected a top-level "entries:" list.`);
  return list.map((raw: unknown, index): LexiconEntry => {
    if (typeof raw !== 'object' || raw === null) fail(source, index, 'an entry must be a mapping.');
    const r = raw as Record<string, unknown>;
    if (typeof r.id !== 'string') fail(source, index, 'missing "id".');
    if (typeof r.kind !== 'string' || !(ENTRY_KINDS as readonly string[]).includes(r.kind)) fail(source, index, `${r.id}: unknown kind "${String(r.kind)}".`);
    const level = r.level;
    if (level !== undefined && !(SEXUALISATION_LEVELS as readonly unknown[]).includes(level)) fail(source, index, `${r.id}: unknown level "${String(level)}".`);
    const removal = r.removal;
    if (removal !== undefined && !(SEXUALISATION_LEVELS as readonly unknown[]).includes(removal))
      fail(source, index, `${r.id}: unknown removal level "${String(removal)}".`);
    if (r.requires !== undefined && !(REQUIREMENTS as readonly unknown[]).includes(r.requires))
      fail(source, index, `${r.id}: unknown requirement "${String(r.requires)}".`);
    if (r.object !== undefined && r.object !== 'after' && r.object !== 'before' && r.object !== 'both')
      fail(source, index, `${r.id}: "object" must be after, before or both.`);
    const lang = stringList(r.lang, source, index, 'lang');
    for (const l of lang) if (!LANGS.includes(l)) fail(source, index, `${r.id}: unknown language "${l}".`);
    const terms = stringList(r.terms, source, index, 'terms');
    if (terms.length === 0) fail(source, index, `${r.id}: no terms.`);
    const examples = stringList(r.examples, source, index, 'examples');
    if (examples.length === 0) fail(source, index, `${r.id}: every entry needs at least one example.`);
    return {
      id: r.id,
      kind: r.kind as EntryKind,
      lang: lang as Language[],
      terms,
      level: level as Sexualisation | undefined,
      removal: removal as Sexualisation | undefined,
      requires: r.requires as Requirement | undefined,
      object: r.object as LexiconEntry['object'],
      afterVerb: r.after_verb === true,
      strictLang: r.strict_lang === true,
      value: typeof r.value === 'number' ? r.value : undefined,
      examples,
      allow: r.allow === undefined ? undefined : stringList(r.allow, source, index, 'allow'),
      source,
    };
  });
}

/** The lexicon shipped next to this file, in `lexicons/*.yaml`. Read once, synchronously, at construction. */
export function loadDefaultLexicon(dir: URL = new URL('./lexicons/', import.meta.url)): Lexicon {
  const path = fileURLToPath(dir);
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const entries: LexiconEntry[] = [];
  const ids = new Set<string>();
  for (const file of files) {
    for (const entry of parseLexiconDocument(readFileSync(new URL(file, dir), 'utf8'), file)) {
      if (ids.has(entry.id)) throw new Error(`Lexicon ${file}: duplicate id "${entry.id}".`);
      ids.add(entry.id);
      entries.push(entry);
    }
  }
  return new Lexicon(entries);
}
