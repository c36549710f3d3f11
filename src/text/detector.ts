import type { Evidence, Language, Sexualisation, TargetKind, TextDetector, TextModelHead, TextModelSignals, TextSignals } from '../domain/signals.js';
import { sexualisationRank } from '../domain/signals.js';
import { applyGrammar } from './grammar.js';
import { identifyLanguage } from './language.js';
import type { EntryKind, Hit, Lexicon } from './lexicon.js';
import { languageMask, loadDefaultLexicon } from './lexicon.js';
import { modelTokens } from './model/features.js';
import type { IntentModel } from './model/intent-model.js';
import { loadIntentModel } from './model/load.js';
import { findNamedPeople } from './named-person.js';
import type { NormalisedText } from './normalise.js';
import { normalise, originalSpan } from './normalise.js';
import type { Token } from './tokenise.js';
import { tokenise } from './tokenise.js';

/** Kinds of a single word that still count when the word sits inside a longer phrase ("spread HER legs"). */
const INNER_KINDS: ReadonlySet<EntryKind> = new Set(['pronoun', 'reference', 'person', 'minor', 'body', 'body-context', 'filler', 'stop']);

/** Format characters (zero-width and the like) hidden inside a name must not hide its capitals. */
const INVISIBLE = /[\p{Cf}\u00ad]/gu;

/** Everything the detector saw, for tests and for analysts debugging a lexicon entry. */
export interface TextTrace {
  normalised: string;
  tokens: readonly Token[];
  hits: readonly Hit[];
  signals: TextSignals;
}

/** Model heads at or above this score carry evidence, unless the wiring point passes the policy's thresholds. */
export const MODEL_EVIDENCE_FLOOR = 0.2;

/** For each head, the score from which its evidence is worth computing; null: never. */
export type EvidenceThresholds = Partial<Record<TextModelHead, number | null>>;

/** How a model head's evidence is labelled: the signal it speaks for and, for levels, the level. */
const HEAD_SIGNAL: Record<TextModelHead, Pick<Evidence, 'signal' | 'level'>> = {
  revealing: { signal: 'sexualisation', level: 'revealing' },
  suggestive: { signal: 'sexualisation', level: 'suggestive' },
  explicit: { signal: 'sexualisation', level: 'explicit' },
  minor: { signal: 'minor' },
  sexual_violence: { signal: 'sexual_violence' },
  target: { signal: 'target' },
};

/**
 * The multilingual detector of sexualising intent in edit instructions: the lexicon and grammar,
 * which explain themselves and catch what they know, and beside them the learned intent model,
 * which reads the same normalised text and raises what the lexicon misses. Both are loaded once at
 * construction; `analyse` is pure, synchronous and linear in the prompt length.
 *
 * @example
 * const detector = createTextDetector();
 * detector.analyse('put her in a bikini').sexualisation // 'revealing' (the lexicon)
 * detector.analyse('put her in a bikini').model?.scores.revealing // 0.99 (the model)
 */
export class LexiconTextDetector implements TextDetector {
  readonly name = 'perisai-text';
  readonly version = '2.0.0';
  readonly model: IntentModel | undefined;
  private readonly evidenceThresholds: EvidenceThresholds;

  /**
   * `evidenceThresholds`: explain a model head only from the score at which the policy will use
   * it (the wiring point passes `policy.text_model.thresholds`); by default from 0.2.
   */
  constructor(
    readonly lexicon: Lexicon = loadDefaultLexicon(),
    model: IntentModel | null = null,
    evidenceThresholds: EvidenceThresholds = {},
  ) {
    this.model = model ?? undefined;
    this.evidenceThresholds = evidenceThresholds;
  }

  analyse(prompt: string): TextSignals {
    return this.trace(prompt).signals;
  }

  trace(prompt: string): TextTrace {
    const norm = normalise(prompt);
    const tokens = tokenise(norm.text);
    const words = tokens.map((t) => ({
      text: t.text,
      isWord: t.kind === 'word' || t.kind === 'number',
      disguised: isDisguised(prompt, norm, t),
    }));
    let hits = this.lexicon.match(words);
    hits = this.addInnerHits(hits, words);
    const language = identifyLanguage(norm.text, hits);
    hits = hits.filter((h) => !h.entry.strictLang || h.entry.lang.includes(language));

    const known = new Uint8Array(tokens.length);
    const place = new Uint8Array(tokens.length);
    for (const hit of hits) {
      for (let i = hit.from; i < hit.to; i++) {
        known[i] = 1;
        if (hit.entry.kind === 'place') place[i] = 1;
      }
    }
    const named = findNamedPeople(
      tokens.map((t, i) => {
        const span = originalSpan(norm, t.start, t.end);
        return {
          original: prompt.slice(span.start, span.end).replace(INVISIBLE, ''),
          normalised: t.text,
          isWord: t.kind === 'word',
          known: known[i] === 1,
          place: place[i] === 1,
        };
      }),
    );
    const mentions: number[] = [];
    tokens.forEach((t, i) => {
      if (t.kind === 'mention' && !this.isBot(t.text)) mentions.push(i);
    });

    const raw = applyGrammar({ tokens, hits, named, mentions });
    const evidence: Evidence[] = raw.map((r) => {
      const span = originalSpan(norm, tokens[r.from].start, tokens[Math.min(r.to, tokens.length) - 1].end);
      const item: Evidence = { signal: r.signal, rule: r.rule, start: span.start, end: span.end, text: prompt.slice(span.start, span.end) };
      if (r.level !== undefined) item.level = r.level;
      return item;
    });
    let level: Sexualisation = 'none';
    for (const r of raw) if (r.level !== undefined && sexualisationRank(r.level) > sexualisationRank(level)) level = r.level;
    const targetKinds = [...new Set(raw.flatMap((r) => (r.target === undefined ? [] : [r.target])))] as TargetKind[];
    const signals: TextSignals = {
      language: language as Language,
      sexualisation: level,
      targetsRealPerson: targetKinds.length > 0,
      targetKinds,
      minorCues: raw.some((r) => r.signal === 'minor'),
      sexualViolence: raw.some((r) => r.signal === 'sexual_violence'),
      evidence: dedupe(evidence),
    };
    if (this.model !== undefined) signals.model = this.modelSignals(prompt, norm, tokens, this.model);
    return { normalised: norm.text, tokens, hits, signals };
  }

  private modelSignals(prompt: string, norm: NormalisedText, tokens: readonly Token[], model: IntentModel): TextModelSignals {
    const read = modelTokens(tokens);
    const { scores, contributions } = model.analyse(read, (scored) =>
      model.header.heads.filter((head) => {
        const from = this.evidenceThresholds[head] === undefined ? MODEL_EVIDENCE_FLOOR : this.evidenceThresholds[head];
        return from !== null && scored[head] >= from;
      }),
    );
    const rule = `model:${model.name}@${model.version}`;
    const evidence: Evidence[] = [];
    for (const [head, spans] of contributions) {
      for (const c of spans) {
        const span = originalSpan(norm, c.start, c.end);
        evidence.push({
          ...HEAD_SIGNAL[head],
          rule,
          start: span.start,
          end: span.end,
          text: prompt.slice(span.start, span.end),
          score: Math.round(scores[head] * 1000) / 1000,
        });
      }
    }
    return { name: model.name, version: model.version, scores, evidence };
  }

  private isBot(handle: string): boolean {
    const first = handle.split(/[_.]/)[0];
    for (const candidate of [handle, first, handle.replace(/[_.]/g, '')]) {
      if (this.lexicon.singleWordEntries(candidate).some((e) => e.kind === 'bot')) return true;
    }
    return false;
  }

  private addInnerHits(hits: Hit[], words: ReadonlyArray<{ text: string; disguised: boolean; isWord: boolean }>): Hit[] {
    const extra: Hit[] = [];
    for (const hit of hits) {
      if (hit.to - hit.from < 2) continue;
      for (let i = hit.from + 1; i < hit.to; i++) {
        if (!words[i].isWord) continue;
        for (const reading of this.lexicon.resolve(words[i].text, words[i].disguised)) {
          for (const entry of this.lexicon.singleWordEntries(reading.key)) {
            if (INNER_KINDS.has(entry.kind) && entry !== hit.entry && (languageMask(entry.lang) & reading.mask) !== 0)
              extra.push({ entry, from: i, to: i + 1, possessive: false });
          }
        }
      }
    }
    return extra.length === 0 ? hits : hits.concat(extra);
  }
}

/** The original text of a token differs from its normalised form: leetspeak, spacing, look-alikes. */
function isDisguised(prompt: string, norm: NormalisedText, token: Token): boolean {
  if (token.end <= token.start) return false;
  const span = originalSpan(norm, token.start, token.end);
  return prompt.slice(span.start, span.end).toLowerCase() !== token.text;
}

/** Evidence kept per rule: enough for a reviewer, bounded so a 100 kB prompt cannot flood the audit log. */
const MAX_EVIDENCE_PER_RULE = 20;

function dedupe(evidence: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  const perRule = new Map<string, number>();
  return evidence.filter((e) => {
    const key = `${e.signal}|${e.rule}|${e.start}|${e.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    const count = (perRule.get(e.rule) ?? 0) + 1;
    perRule.set(e.rule, count);
    return count <= MAX_EVIDENCE_PER_RULE;
  });
}

/**
 * Creates the default text detector: the lexicons shipped in `src/text/lexicons/` and the model
 * shipped in `models/text-intent.bin`. Pass `model: null` for the lexicon alone.
 */
export function createTextDetector(
  options: { lexicon?: Lexicon; model?: IntentModel | null; evidenceThresholds?: EvidenceThresholds } = {},
): LexiconTextDetector {
  return new LexiconTextDetector(options.lexicon, options.model === undefined ? loadIntentModel() : options.model, options.evidenceThresholds);
}
