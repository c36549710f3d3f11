import { z } from 'zod';

import type { Category } from './decision.js';
import { PerisaiError } from './errors.js';
import type { ReportCategory, ReporterType } from './reports.js';

/**
 * Statements of reasons (DSA Art. 17) in the shape the EU's DSA Transparency Database takes them
 * (Art. 24(5)). Every value list below is copied, as data, from the database's own validation
 * (digital-services-act/transparency-database, app/Models/Statement.php and
 * app/Http/Requests/StatementStoreRequest.php, snapshot of 2026-06-24) and its API documentation
 * (transparency.dsa.ec.europa.eu/page/api-documentation). The API takes the KEY of each list
 * (e.g. `DECISION_VISIBILITY_CONTENT_REMOVED`), never the label, so only keys are kept here.
 */

export const DECISION_VISIBILITIES = [
  'DECISION_VISIBILITY_CONTENT_REMOVED',
  'DECISION_VISIBILITY_CONTENT_DISABLED',
  'DECISION_VISIBILITY_CONTENT_DEMOTED',
  'DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED',
  'DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED',
  'DECISION_VISIBILITY_CONTENT_LABELLED',
  'DECISION_VISIBILITY_OTHER',
] as const;

export const DECISION_MONETARIES = ['DECISION_MONETARY_SUSPENSION', 'DECISION_MONETARY_TERMINATION', 'DECISION_MONETARY_OTHER'] as const;

export const DECISION_PROVISIONS = [
  'DECISION_PROVISION_PARTIAL_SUSPENSION',
  'DECISION_PROVISION_TOTAL_SUSPENSION',
  'DECISION_PROVISION_PARTIAL_TERMINATION',
  'DECISION_PROVISION_TOTAL_TERMINATION',
] as const;

export const DECISION_ACCOUNTS = ['DECISION_ACCOUNT_SUSPENDED', 'DECISION_ACCOUNT_TERMINATED'] as const;

export const ACCOUNT_TYPES = ['ACCOUNT_TYPE_BUSINESS', 'ACCOUNT_TYPE_PRIVATE'] as const;

export const DECISION_GROUNDS = ['DECISION_GROUND_ILLEGAL_CONTENT', 'DECISION_GROUND_INCOMPATIBLE_CONTENT'] as const;

export const CONTENT_TYPES = [
  'CONTENT_TYPE_APP',
  'CONTENT_TYPE_AUDIO',
  'CONTENT_TYPE_IMAGE',
  'CONTENT_TYPE_PRODUCT',
  'CONTENT_TYPE_SYNTHETIC_MEDIA',
  'CONTENT_TYPE_TEXT',
  'CONTENT_TYPE_VIDEO',
  'CONTENT_TYPE_OTHER',
] as const;

export const STATEMENT_CATEGORIES = [
  'STATEMENT_CATEGORY_ANIMAL_WELFARE',
  'STATEMENT_CATEGORY_CONSUMER_INFORMATION',
  'STATEMENT_CATEGORY_CYBER_VIOLENCE',
  'STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN',
  'STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS',
  'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH',
  'STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS',
  'STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS',
  'STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE',
  'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  'STATEMENT_CATEGORY_PROTECTION_OF_MINORS',
  'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY',
  'STATEMENT_CATEGORY_SCAMS_AND_FRAUD',
  'STATEMENT_CATEGORY_SELF_HARM',
  'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
  'STATEMENT_CATEGORY_VIOLENCE',
] as const;

/** `category_specification` values (the schema's "keywords"). */
export const KEYWORDS = [
  'KEYWORD_ANIMAL_HARM',
  'KEYWORD_ADULT_SEXUAL_MATERIAL',
  'KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS',
  'KEYWORD_AGE_SPECIFIC_RESTRICTIONS',
  'KEYWORD_BIOMETRIC_DATA_BREACH',
  'KEYWORD_BULLYING_AGAINST_GIRLS',
  'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL',
  'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE',
  'KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS',
  'KEYWORD_COORDINATED_HARM',
  'KEYWORD_COPYRIGHT_INFRINGEMENT',
  'KEYWORD_CYBER_BULLYING_INTIMIDATION',
  'KEYWORD_CYBER_HARASSMENT',
  'KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN',
  'KEYWORD_CYBER_INCITEMENT',
  'KEYWORD_CYBER_STALKING',
  'KEYWORD_CYBER_STALKING_AGAINST_WOMEN',
  'KEYWORD_DANGEROUS_TOYS',
  'KEYWORD_DATA_FALSIFICATION',
  'KEYWORD_DEFAMATION',
  'KEYWORD_DESIGN_INFRINGEMENT',
  'KEYWORD_DISCRIMINATION',
  'KEYWORD_FEMALE_GENDERED_DISINFORMATION',
  'KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT',
  'KEYWORD_GEOGRAPHICAL_REQUIREMENTS',
  'KEYWORD_GOODS_SERVICES_NOT_PERMITTED',
  'KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS',
  'KEYWORD_HATE_SPEECH',
  'KEYWORD_HIDDEN_ADVERTISEMENT',
  'KEYWORD_HUMAN_EXPLOITATION',
  'KEYWORD_HUMAN_TRAFFICKING',
  'KEYWORD_ILLEGAL_ORGANIZATIONS',
  'KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING',
  'KEYWORD_INAUTHENTIC_ACCOUNTS',
  'KEYWORD_INAUTHENTIC_LISTINGS',
  'KEYWORD_INAUTHENTIC_USER_REVIEWS',
  'KEYWORD_INCITEMENT_AGAINST_WOMEN',
  'KEYWORD_INCITEMENT_VIOLENCE_HATRED',
  'KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS',
  'KEYWORD_LANGUAGE_REQUIREMENTS',
  'KEYWORD_MISINFORMATION_DISINFORMATION',
  'KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS',
  'KEYWORD_MISLEADING_INFO_GOODS_SERVICES',
  'KEYWORD_MISSING_PROCESSING_GROUND',
  'KEYWORD_NON_CONSENSUAL_IMAGE_SHARING',
  'KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN',
  'KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE',
  'KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN',
  'KEYWORD_NONCOMPLIANCE_PRICING',
  'KEYWORD_NUDITY',
  'KEYWORD_PATENT_INFRINGEMENT',
  'KEYWORD_PHISHING',
  'KEYWORD_PROHIBITED_PRODUCTS',
  'KEYWORD_PYRAMID_SCHEMES',
  'KEYWORD_RIGHT_TO_BE_FORGOTTEN',
  'KEYWORD_RISK_ENVIRONMENTAL_DAMAGE',
  'KEYWORD_RISK_PUBLIC_HEALTH',
  'KEYWORD_SELF_MUTILATION',
  'KEYWORD_STALKING',
  'KEYWORD_SUICIDE',
  'KEYWORD_TRADE_SECRET_INFRINGEMENT',
  'KEYWORD_TRADEMARK_INFRINGEMENT',
  'KEYWORD_TRAFFICKING_WOMEN_GIRLS',
  'KEYWORD_TERRORIST_CONTENT',
  'KEYWORD_UNLAWFUL_SALE_ANIMALS',
  'KEYWORD_UNSAFE_CHALLENGES',
  'KEYWORD_UNSAFE_PRODUCTS',
  'KEYWORD_VIOLATION_EU_LAW',
  'KEYWORD_VIOLATION_NATIONAL_LAW',
  'KEYWORD_OTHER',
] as const;

export const SOURCE_TYPES = ['SOURCE_ARTICLE_16', 'SOURCE_TRUSTED_FLAGGER', 'SOURCE_TYPE_OTHER_NOTIFICATION', 'SOURCE_VOLUNTARY'] as const;

/** `automated_detection` and `incompatible_content_illegal` take the words themselves. */
export const YES_NO = ['Yes', 'No'] as const;

export const AUTOMATED_DECISIONS = ['AUTOMATED_DECISION_FULLY', 'AUTOMATED_DECISION_PARTIALLY', 'AUTOMATED_DECISION_NOT_AUTOMATED'] as const;

/** The 27 EU member states as the database spells them (Greece is `GR`, not the EU's `EL`). */
export const EU_COUNTRY_CODES = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
] as const;

/** `territorial_scope` accepts the EEA: the EU and Iceland, Liechtenstein, Norway. */
export const EEA_COUNTRY_CODES = [...EU_COUNTRY_CODES, 'IS', 'LI', 'NO'].sort() as readonly string[];

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'is not a real date');
const limited = (max: number) => z.string().trim().min(1).max(max);
const between = (schema: z.ZodString, from: string, to: string) => schema.refine((value) => value >= from && value <= to, `must be between ${from} and ${to}`);

/**
 * One statement as the database's API takes it. Field limits and the conditional requirements
 * follow StatementStoreRequest: at least one restriction; the ground's two texts for the ground
 * chosen and not the other's; end dates not before the application date.
 */
export const statementSchema = z
  .strictObject({
    decision_visibility: z.array(z.enum(DECISION_VISIBILITIES)).min(1).optional(),
    decision_visibility_other: limited(500).optional(),
    decision_monetary: z.enum(DECISION_MONETARIES).optional(),
    decision_monetary_other: limited(500).optional(),
    decision_provision: z.enum(DECISION_PROVISIONS).optional(),
    decision_account: z.enum(DECISION_ACCOUNTS).optional(),
    account_type: z.enum(ACCOUNT_TYPES).optional(),
    decision_ground: z.enum(DECISION_GROUNDS),
    decision_ground_reference_url: z.string().url().max(500).optional(),
    illegal_content_legal_ground: limited(500).optional(),
    illegal_content_explanation: limited(2000).optional(),
    incompatible_content_ground: limited(500).optional(),
    incompatible_content_explanation: limited(2000).optional(),
    incompatible_content_illegal: z.enum(YES_NO).optional(),
    content_type: z.array(z.enum(CONTENT_TYPES)).min(1),
    content_type_other: limited(500).optional(),
    category: z.enum(STATEMENT_CATEGORIES),
    category_addition: z.array(z.enum(STATEMENT_CATEGORIES)).optional(),
    category_specification: z.array(z.enum(KEYWORDS)).optional(),
    category_specification_other: limited(500).optional(),
    territorial_scope: z.array(z.string().refine((code) => EEA_COUNTRY_CODES.includes(code), 'must be the code of an EEA country, e.g. DE')).min(1),
    content_date: between(day, '2000-01-01', '2038-01-01'),
    application_date: between(day, '2020-01-01', '2038-01-01'),
    end_date_account_restriction: day.optional(),
    end_date_monetary_restriction: day.optional(),
    end_date_service_restriction: day.optional(),
    end_date_visibility_restriction: day.optional(),
    decision_facts: limited(5000),
    source_type: z.enum(SOURCE_TYPES),
    source_identity: limited(500).optional(),
    automated_detection: z.enum(YES_NO),
    automated_decision: z.enum(AUTOMATED_DECISIONS),
    puid: z
      .string()
      .max(500)
      .regex(/^[a-zA-Z0-9_-]+$/, 'may hold only letters, digits, hyphens and underscores'),
  })
  .superRefine((s, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (!s.decision_visibility && !s.decision_monetary && !s.decision_provision && !s.decision_account) {
      issue('decision_visibility', 'is required when decision_monetary, decision_provision and decision_account are all absent');
    }
    const illegal = s.decision_ground === 'DECISION_GROUND_ILLEGAL_CONTENT';
    for (const field of ['illegal_content_legal_ground', 'illegal_content_explanation'] as const) {
      if (illegal && !s[field]) issue(field, 'is required when decision_ground is DECISION_GROUND_ILLEGAL_CONTENT');
      if (!illegal && s[field]) issue(field, 'belongs only to DECISION_GROUND_ILLEGAL_CONTENT');
    }
    for (const field of ['incompatible_content_ground', 'incompatible_content_explanation'] as const) {
      if (!illegal && !s[field]) issue(field, 'is required when decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT');
      if (illegal && s[field]) issue(field, 'belongs only to DECISION_GROUND_INCOMPATIBLE_CONTENT');
    }
    if (illegal && s.incompatible_content_illegal) issue('incompatible_content_illegal', 'belongs only to DECISION_GROUND_INCOMPATIBLE_CONTENT');
    if ((s.decision_visibility?.includes('DECISION_VISIBILITY_OTHER') ?? false) !== !!s.decision_visibility_other) {
      issue('decision_visibility_other', 'is required with DECISION_VISIBILITY_OTHER, and only with it');
    }
    if ((s.decision_monetary === 'DECISION_MONETARY_OTHER') !== !!s.decision_monetary_other) {
      issue('decision_monetary_other', 'is required with DECISION_MONETARY_OTHER, and only with it');
    }
    if (s.content_type.includes('CONTENT_TYPE_OTHER') !== !!s.content_type_other) {
      issue('content_type_other', 'is required with CONTENT_TYPE_OTHER, and only with it');
    }
    if (s.source_type === 'SOURCE_VOLUNTARY' && s.source_identity) issue('source_identity', 'is not taken with SOURCE_VOLUNTARY');
    for (const field of [
      'end_date_account_restriction',
      'end_date_monetary_restriction',
      'end_date_service_restriction',
      'end_date_visibility_restriction',
    ] as const) {
      const end = s[field];
      if (end !== undefined && end < s.application_date) issue(field, 'must not be before application_date');
    }
  });

export type Statement = z.output<typeof statementSchema>;

/**
 * Checks a statement against the database's enums and rules before it is stored. A statement
 * that fails is a bug in what built it (the builder below only emits listed values), so the
 * error is ours to fix, and the action it belongs to is not recorded without it.
 */
export function validateStatement(value: unknown): Statement {
  const result = statementSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 10)
    .map((i) => `${i.path.join('.') || 'statement'} ${i.message}`)
    .join('; ');
  throw new PerisaiError(
    'statement_invalid',
    `A statement of reasons does not fit the EU Transparency Database schema (${problems}): the action was not recorded; report this to the operator.`,
    { issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  );
}

/** What restricted what: a piece of content, copies of it, or an account. */
export type Restriction =
  | { kind: 'content_removed' }
  | { kind: 'content_disabled' }
  | { kind: 'generation_refused' }
  | { kind: 'account_suspended'; until: string | null }
  | { kind: 'account_terminated' };

/** Where the matter came from: a person's notice, a trusted flagger, an authority, or Perisai itself. */
export type StatementSource = 'notice' | 'trusted_flagger' | 'authority' | 'own_initiative';

/** Perisai's facts about one restricting action: ids, categories, times, who decided. Never a name, account id or prompt. */
export interface StatementFacts {
  /** The statement's own opaque id (`sor_…`): the puid. */
  id: string;
  restriction: Restriction;
  /** The report category of the case, or the one the decision's categories amount to. */
  category: ReportCategory;
  /** The screening decision's categories, when the action came from one (they refine the keywords). */
  decisionCategories?: readonly Category[];
  source: StatementSource;
  /** The content was found by Perisai's detectors or hash matching, not by a person. */
  automatedDetection: boolean;
  /** `fully`: no person decided; `none`: a reviewer did. */
  automatedDecision: 'fully' | 'partially' | 'none';
  /** The content is (or is a request for) generated imagery. */
  synthetic: boolean;
  /** When the content was first known to Perisai (ISO 8601). */
  contentAt: string;
  /** When the restriction took effect (ISO 8601). */
  appliedAt: string;
  /** For a policy decision: the policy version and rules that refused it (the contractual ground). */
  policy?: { version: string; rules: readonly string[] };
  /** The notice's or case's jurisdiction, when known (not used for the territorial scope: see below). */
  jurisdiction?: string | null;
}

/** Where the illegal-content ground's texts come from, per report category. */
const LEGAL_GROUNDS: Partial<Record<ReportCategory, { ground: string; explanation: string }>> = {
  // Directive 2011/93/EU Art. 5 (offences concerning child pornography) is the EU-wide ground;
  // member states' criminal codes transpose it. A deployment may need the national provision.
  csam: {
    ground: 'Directive 2011/93/EU, Art. 5 (child sexual abuse material), as transposed in national criminal law',
    explanation: 'The image depicts, or was generated to depict, a child in a sexual manner; producing or distributing such material is a criminal offence.',
  },
  // Directive (EU) 2024/1385 Art. 5 criminalises non-consensual sharing of intimate or manipulated
  // material; its transposition deadline is 14 June 2027, so before then the national law that
  // applies is the ground. NOT VERIFIED from the sources used here: the exact national provision.
  ncii: {
    ground: 'Directive (EU) 2024/1385, Art. 5 (non-consensual sharing of intimate or manipulated material), and national law',
    explanation: 'The image is intimate material of a person shared without their consent.',
  },
  sexual_deepfake: {
    ground: 'Directive (EU) 2024/1385, Art. 5(1)(b) (manipulated material making a person appear to engage in sexual activities), and national law',
    explanation: 'The image was made or altered to show a real person in a sexual manner without their consent.',
  },
};

/**
 * The Transparency Database's category and keywords for each Perisai category. The database
 * does not check that keywords belong to the category; the pairing follows the grouping of its
 * v2 taxonomy (cyber violence holds the non-consensual sharing and deepfake keywords, protection
 * of minors the child abuse ones). `…_AGAINST_WOMEN` categories and keywords are never chosen:
 * they would state the depicted person's gender, which Perisai does not know and must not infer.
 */
function categoryOf(facts: StatementFacts): { category: Statement['category']; keywords: Statement['category_specification'] } {
  switch (facts.category) {
    case 'csam':
      return {
        category: 'STATEMENT_CATEGORY_PROTECTION_OF_MINORS',
        keywords: facts.synthetic
          ? ['KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL', 'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE']
          : ['KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL'],
      };
    case 'ncii':
      return { category: 'STATEMENT_CATEGORY_CYBER_VIOLENCE', keywords: ['KEYWORD_NON_CONSENSUAL_IMAGE_SHARING'] };
    case 'sexual_deepfake':
      return { category: 'STATEMENT_CATEGORY_CYBER_VIOLENCE', keywords: ['KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE'] };
    case 'nudity':
      // Sexual violence rides on this category in Perisai; the database's nearest is violence.
      if (facts.decisionCategories?.includes('sexual_violence')) return { category: 'STATEMENT_CATEGORY_VIOLENCE', keywords: undefined };
      // NOT VERIFIED: which category the database's own taxonomy files KEYWORD_ADULT_SEXUAL_MATERIAL under; a terms-and-conditions violation is what it is here.
      return { category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC', keywords: ['KEYWORD_ADULT_SEXUAL_MATERIAL'] };
    case 'other':
      return { category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC', keywords: undefined };
  }
}

const SOURCE_TYPE: Record<StatementSource, Statement['source_type']> = {
  notice: 'SOURCE_ARTICLE_16',
  trusted_flagger: 'SOURCE_TRUSTED_FLAGGER',
  // Orders from authorities (DSA Art. 9) and law enforcement requests are not Art. 16 notices.
  authority: 'SOURCE_TYPE_OTHER_NOTIFICATION',
  own_initiative: 'SOURCE_VOLUNTARY',
};

/** The source of a case's statement from the reporters of its reports: the most authoritative wins. */
export function sourceOfReporters(types: readonly ReporterType[]): StatementSource {
  if (types.includes('trusted_flagger')) return 'trusted_flagger';
  if (types.includes('regulator') || types.includes('law_enforcement')) return 'authority';
  if (types.length > 0) return 'notice';
  return 'own_initiative';
}

const AUTOMATED: Record<StatementFacts['automatedDecision'], Statement['automated_decision']> = {
  fully: 'AUTOMATED_DECISION_FULLY',
  partially: 'AUTOMATED_DECISION_PARTIALLY',
  none: 'AUTOMATED_DECISION_NOT_AUTOMATED',
};

const WHAT: Record<Restriction['kind'], string> = {
  content_removed: 'The reported image was removed.',
  content_disabled: "The reported image's hash was added to a hash bank, so access to it and to copies of it is disabled.",
  generation_refused: 'The request to generate or edit an image was refused, so the image was not produced.',
  account_suspended: 'The account was suspended.',
  account_terminated: 'The account was terminated.',
};

const FOUND: Record<StatementSource, string> = {
  notice: 'It was reported in a notice.',
  trusted_flagger: 'It was reported by a trusted flagger.',
  authority: 'It was reported by an authority.',
  own_initiative: 'It was found by the service on its own initiative.',
};

/**
 * Maps Perisai's facts about one restricting action to a statement, and validates it. Pure; every
 * text is generated from the facts (no prompt, no reviewer's free text, no name or account id),
 * so no personal data can reach the database through it (Art. 24(5)).
 */
export function buildStatement(facts: StatementFacts): Statement {
  const { category, keywords } = categoryOf(facts);
  const legal = LEGAL_GROUNDS[facts.category];
  // Reported content in a category that is illegal in the EU is restricted as illegal content. A
  // refused generation or an account restriction is the service's own terms (its policy) at work;
  // the statement then says the content is also illegal where it is.
  const onContent = facts.restriction.kind === 'content_removed' || facts.restriction.kind === 'content_disabled';
  const illegal = legal !== undefined && onContent && !facts.policy;
  const application = facts.appliedAt.slice(0, 10);
  const restriction = restrictionFields(facts.restriction);
  const how =
    facts.automatedDecision === 'fully'
      ? 'The decision was taken by automated means without human review.'
      : facts.automatedDecision === 'partially'
        ? 'The decision was taken by a person assisted by automated means.'
        : 'The decision was taken by a person.';
  const detection = facts.automatedDetection ? 'The content was identified by automated means (classifiers or hash matching).' : '';
  const statement = {
    ...restriction,
    decision_ground: illegal ? 'DECISION_GROUND_ILLEGAL_CONTENT' : 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
    ...(illegal
      ? { illegal_content_legal_ground: legal.ground, illegal_content_explanation: legal.explanation }
      : {
          incompatible_content_ground: facts.policy
            ? `Terms of service: safety policy ${facts.policy.version}, rules ${facts.policy.rules.join(', ') || 'none named'}`
            : 'Terms of service: prohibited sexual, intimate or abusive imagery',
          incompatible_content_explanation: incompatibleExplanation(facts.category),
          ...(legal ? { incompatible_content_illegal: 'Yes' as const } : {}),
        }),
    content_type: facts.synthetic ? ['CONTENT_TYPE_IMAGE', 'CONTENT_TYPE_SYNTHETIC_MEDIA'] : ['CONTENT_TYPE_IMAGE'],
    category,
    ...(keywords ? { category_specification: keywords } : {}),
    // Perisai's actions (the content.remove webhook, a bank entry, a suspension) carry no
    // territory: they apply wherever the service is offered, so the scope is the whole EEA.
    territorial_scope: [...EEA_COUNTRY_CODES],
    content_date: facts.contentAt.slice(0, 10),
    application_date: application,
    decision_facts: [WHAT[facts.restriction.kind], FOUND[facts.source], detection, how].filter(Boolean).join(' '),
    source_type: SOURCE_TYPE[facts.source],
    automated_detection: facts.automatedDetection ? 'Yes' : 'No',
    automated_decision: AUTOMATED[facts.automatedDecision],
    puid: facts.id,
  };
  return validateStatement(statement);
}

function restrictionFields(restriction: Restriction): Partial<Statement> {
  switch (restriction.kind) {
    case 'content_removed':
      return { decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'] };
    case 'content_disabled':
      return { decision_visibility: ['DECISION_VISIBILITY_CONTENT_DISABLED'] };
    case 'generation_refused':
      // The schema has no "not generated" value; the image the request asked for is never made available.
      return { decision_visibility: ['DECISION_VISIBILITY_CONTENT_DISABLED'] };
    case 'account_suspended':
      return {
        decision_account: 'DECISION_ACCOUNT_SUSPENDED',
        ...(restriction.until ? { end_date_account_restriction: restriction.until.slice(0, 10) } : {}),
      };
    case 'account_terminated':
      return { decision_account: 'DECISION_ACCOUNT_TERMINATED' };
  }
}

function incompatibleExplanation(category: ReportCategory): string {
  switch (category) {
    case 'csam':
      return 'The content sexualises a minor, which the terms of service prohibit; it is also illegal.';
    case 'ncii':
      return 'The content is intimate imagery of a person without their consent, which the terms of service prohibit.';
    case 'sexual_deepfake':
      return 'The content sexualises a real person without their consent, which the terms of service prohibit.';
    case 'nudity':
      return 'The content is sexual or nude imagery, which the terms of service do not allow on this service.';
    case 'other':
      return 'The content breaks the terms of service of this service.';
  }
}

/** The restriction kinds whose statements concern content (for reports and counts). */
export const CONTENT_RESTRICTIONS: readonly Restriction['kind'][] = ['content_removed', 'content_disabled', 'generation_refused'];

/** The Transparency Database's bulk endpoint takes at most this many statements per call. */
export const STATEMENTS_PER_BATCH = 100;
