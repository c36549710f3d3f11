import { CATEGORIES } from '../domain/decision.js';

type JsonSchema = Record<string, unknown>;

/** What the main document lends this part: its helpers, so every route reads alike. */
export interface AccountOpenApiParts {
  secured: JsonSchema[];
  errors(...codes: number[]): Record<string, JsonSchema>;
  jsonBody(schema: string): JsonSchema;
  /** The `{id}` path parameter of account routes, documented from its zod schema. */
  accountIdParam: JsonSchema;
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const text = (description: string): JsonSchema => ({ type: 'string', description });
const nullableText = (description: string): JsonSchema => ({ type: ['string', 'null'], description });
const time = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });
const nullableTime = (description: string): JsonSchema => ({ type: ['string', 'null'], format: 'date-time', description });

const thresholdSchema: JsonSchema = {
  type: ['object', 'null'],
  description: 'For an automatic suspension: the policy threshold that was met, as the policy said when it was met; null for a manual one.',
  properties: {
    category: { enum: [...CATEGORIES, 'any'], description: 'The category of strike it counts, or `any`.' },
    strikes: { type: 'integer', description: 'How many strikes meet it.' },
    within_days: { type: 'integer', description: 'The window the strikes must land in, in days.' },
    suspend_days: { type: ['integer', 'null'], description: 'How long it suspends, in days; null: until a person reinstates the account.' },
    description: text('What the threshold is for, in words.'),
  },
};

const strikeSchema: JsonSchema = {
  type: 'object',
  description: 'One strike: a decision of a rule with the `strike` action, counted against the account that asked.',
  properties: {
    id: text('The strike id, `stk_` and 32 hex digits.'),
    category: { enum: [...CATEGORIES], description: 'The harm category the strike is for.' },
    decision_id: text('The screening decision that landed it (GET /v1/decisions/{id}).'),
    rule: text('The policy rule that asked for it.'),
    policy_version: text('The policy the decision was made under.'),
    created_at: time('When it landed.'),
    expires_at: time('When it stops counting (the policy’s strike_expiry_days later); it stays in the history.'),
    state: {
      enum: ['active', 'expired', 'lifted'],
      description: '`active`: counts towards thresholds; `expired`: too old to count; `lifted`: found wrong (an appeal overturned it).',
    },
    lifted_at: nullableTime('When it was lifted.'),
    lifted_by: nullableText('Who lifted it: the API key id, or `cli`.'),
    lifted_reason: nullableText('Why it was lifted.'),
  },
};

const suspensionSchema: JsonSchema = {
  type: 'object',
  description: 'One suspension, manual or automatic.',
  properties: {
    id: text('The suspension id, `sus_` and 32 hex digits.'),
    started_at: time('When it began.'),
    until: nullableTime('When it ends by itself; null: until a person reinstates the account.'),
    active: { type: 'boolean', description: 'True while it is in force.' },
    automatic: { type: 'boolean', description: 'True when a threshold of the policy was met; false when a person suspended the account.' },
    reason: text('Why: the threshold in words, or the reason the person gave.'),
    actor: text('Who suspended: `policy`, an API key id, or `cli`.'),
    threshold: thresholdSchema,
    strike_ids: { type: 'array', items: { type: 'string' }, description: 'The strikes that met the threshold (empty for a manual suspension).' },
    policy_version: nullableText('The policy whose threshold was met; null for a manual suspension.'),
    ended_at: nullableTime('When a reinstatement, or the lifting of its strikes, ended it early.'),
    ended_by: nullableText('Who ended it.'),
    ended_reason: nullableText('Why it was ended.'),
  },
};

const accountSchema: JsonSchema = {
  type: 'object',
  description: "An account's standing, strikes, suspensions and history.",
  properties: {
    account: text('The account id.'),
    standing: { enum: ['good', 'suspended'], description: '`suspended`: its requests are refused with category account_suspended.' },
    suspended_until: nullableTime('While suspended: when the suspension ends; null when only a reinstatement ends it, or when not suspended.'),
    suspension: {
      anyOf: [ref('Suspension'), { type: 'null', description: 'Not suspended.' }],
      description: 'The suspension in force that ends last, or null.',
    },
    strikes: {
      type: 'object',
      description: 'Every strike, newest first, by state.',
      properties: {
        active: { type: 'array', items: ref('Strike'), description: 'Strikes that count towards thresholds now.' },
        expired: { type: 'array', items: ref('Strike'), description: 'Strikes too old to count.' },
        lifted: { type: 'array', items: ref('Strike'), description: 'Strikes found wrong, which never count.' },
      },
    },
    suspensions: { type: 'array', items: ref('Suspension'), description: 'Every suspension, newest first.' },
    history: {
      type: 'array',
      description: 'What happened to the account, oldest first.',
      items: {
        type: 'object',
        description: 'One entry.',
        properties: {
          at: time('When.'),
          kind: { enum: ['strike', 'strike_lifted', 'suspended', 'suspension_ended', 'suspension_expired'], description: 'What happened.' },
          actor: text('Who: `policy`, an API key id, or `cli`.'),
          details: { type: 'object', description: 'The strike or suspension id and what the entry records (category, decision, until, reason).' },
        },
      },
    },
  },
};

const appealReceiptSchema: JsonSchema = {
  type: 'object',
  description: 'The receipt of an appeal: the appeal case that hears it and its clock.',
  properties: {
    id: text('The appeal case id (`case_` and 32 hex digits): decide it with the case actions uphold or overturn.'),
    appeal_of: {
      type: 'object',
      description: 'What the appeal contests.',
      properties: {
        decision_id: nullableText('The screening decision appealed, or null.'),
        case_id: nullableText('The case appealed, or null.'),
      },
    },
    state: text('The appeal case state: `open`.'),
    deadline: time('When the appeal must be decided (its own clock, an `appeal: true` rule of policies/clocks.yaml).'),
    rule: {
      type: 'object',
      description: 'The clock rule that set the deadline.',
      properties: {
        id: text('The rule id.'),
        hours: { type: 'number', description: 'The window in hours.' },
        basis: { enum: ['statutory', 'target'], description: '`statutory`: a figure in law; `target`: one this deployment chose.' },
      },
    },
  },
};

export const accountSchemas: Record<string, JsonSchema> = {
  Account: accountSchema,
  Strike: strikeSchema,
  Suspension: suspensionSchema,
  AppealReceipt: appealReceiptSchema,
};

export function accountPaths(parts: AccountOpenApiParts): Record<string, Record<string, JsonSchema>> {
  const { secured, errors, jsonBody, accountIdParam } = parts;
  const json = (description: string) => ({ description, content: { 'application/json': { schema: ref('Account') } } });
  return {
    '/v1/appeals': {
      post: {
        summary: 'Appeal a decision or a case: opens an appeal case with its own clock',
        description:
          'The platform relays appeals for its users: the account holder contests a refused request (decision_id) or a removal (case_id of an actioned case); a reporter contests a declined report (case_id). One appeal per decision or case. Decide it with POST /v1/cases/{id}/actions, type uphold or overturn (scope `cases`): overturning lifts the strikes (and the suspensions they caused), restores removed content (content.restore) or removes content whose report was declined (content.remove); the appellant is told in an appeal.decided webhook.',
        security: secured,
        requestBody: jsonBody('Appeal'),
        responses: {
          '201': { description: 'The receipt.', content: { 'application/json': { schema: ref('AppealReceipt') } } },
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    '/v1/accounts/{id}': {
      get: {
        summary: "An account's standing: active and expired strikes, suspension, history",
        security: secured,
        parameters: [accountIdParam],
        responses: { '200': json('The account (an account never struck is in good standing with nothing recorded).'), ...errors(400, 401, 403) },
      },
    },
    '/v1/accounts/{id}/suspend': {
      post: {
        summary: 'Suspend an account: its requests are refused (category account_suspended) on every instance',
        description: 'With `until` or `days` the suspension ends by itself; with neither, only a reinstatement ends it. Audited with the key id.',
        security: secured,
        parameters: [accountIdParam],
        requestBody: jsonBody('SuspendAccount'),
        responses: { '200': json('The account after the suspension.'), ...errors(400, 401, 403) },
      },
    },
    '/v1/accounts/{id}/reinstate': {
      post: {
        summary: 'Reinstate a suspended account: every suspension in force ends (its strikes stay)',
        description: 'An account that is not suspended is 409. Audited with the key id.',
        security: secured,
        parameters: [accountIdParam],
        requestBody: jsonBody('ReinstateAccount'),
        responses: { '200': json('The account after the reinstatement.'), ...errors(400, 401, 403, 409) },
      },
    },
  };
}
