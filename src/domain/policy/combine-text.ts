import type { Evidence, Sexualisation, TextModelHead, TextSignals } from '../signals.js';
import { sexualisationRank } from '../signals.js';
import type { TextModelSettings } from './schema.js';

/** The text facts the policy tests, and the evidence behind each. */
export interface TextFacts {
  sexualisation: Sexualisation;
  realPerson: boolean;
  minor: boolean;
  sexualViolence: boolean;
  evidence: Evidence[];
}

const NONE: TextFacts = { sexualisation: 'none', realPerson: false, minor: false, sexualViolence: false, evidence: [] };

/** The sexualisation heads from the highest level down: the first that reaches its threshold sets the level. */
const LEVEL_HEADS: ReadonlyArray<[TextModelHead & Sexualisation, Sexualisation]> = [
  ['explicit', 'explicit'],
  ['suggestive', 'suggestive'],
  ['revealing', 'revealing'],
];

/** Which head an evidence item of the model speaks for. */
function headOf(item: Evidence): TextModelHead {
  if (item.signal === 'sexualisation') return (item.level ?? 'revealing') as TextModelHead;
  return item.signal === 'minor' ? 'minor' : item.signal === 'target' ? 'target' : 'sexual_violence';
}

/**
 * Combines the lexicon's signals with the learned model's scores as the policy says. Pure.
 * Only evidence for what a side actually raised is kept, so a reason never cites a model head
 * that stayed under its threshold.
 */
export function combineTextSignals(settings: TextModelSettings, text: TextSignals | null): TextFacts {
  if (text === null) return NONE;
  const lexicon: TextFacts = {
    sexualisation: text.sexualisation,
    realPerson: text.targetsRealPerson,
    minor: text.minorCues,
    sexualViolence: text.sexualViolence,
    evidence: text.evidence,
  };
  const model = text.model;
  if (settings.combine === 'lexicon' || model === undefined) return lexicon;

  const t = settings.thresholds;
  const reaches = (head: TextModelHead): boolean => {
    const threshold = t[head];
    return threshold !== null && model.scores[head] >= threshold;
  };
  const raised = new Set<TextModelHead>();
  let level: Sexualisation = 'none';
  for (const [head, headLevel] of LEVEL_HEADS) {
    if (reaches(head)) {
      level = headLevel;
      break;
    }
  }
  for (const head of ['revealing', 'suggestive', 'explicit', 'minor', 'sexual_violence', 'target'] as const) if (reaches(head)) raised.add(head);
  const strongest = sexualisationRank(level) > sexualisationRank(text.sexualisation) ? level : text.sexualisation;
  if (sexualisationRank(strongest) < sexualisationRank(settings.model_violence_at_least)) raised.delete('sexual_violence');
  const fromModel: TextFacts = {
    sexualisation: level,
    realPerson: raised.has('target'),
    minor: raised.has('minor'),
    sexualViolence: raised.has('sexual_violence'),
    evidence: model.evidence.filter((item) => raised.has(headOf(item))),
  };
  if (settings.combine === 'model') return fromModel;

  const veto = settings.lexicon_veto;
  if (veto !== null && lexicon.sexualisation !== 'none' && model.scores[lexicon.sexualisation as TextModelHead] < veto) {
    lexicon.sexualisation = 'none';
    lexicon.evidence = lexicon.evidence.filter((item) => item.signal !== 'sexualisation');
  }
  return {
    sexualisation: sexualisationRank(fromModel.sexualisation) > sexualisationRank(lexicon.sexualisation) ? fromModel.sexualisation : lexicon.sexualisation,
    realPerson: lexicon.realPerson || fromModel.realPerson,
    minor: lexicon.minor || fromModel.minor,
    sexualViolence: lexicon.sexualViolence || fromModel.sexualViolence,
    evidence: [...lexicon.evidence, ...fromModel.evidence],
  };
}
