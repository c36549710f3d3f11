import { CASE_ACTIONS, CASE_STATES } from '../domain/cases.js';

type JsonSchema = Record<string, unknown>;

/** What the main document lends this part: its helpers, so every route reads alike. */
export interface OpenApiParts {
  secured: JsonSchema[];
  ok(description: string, ...codes: number[]): Record<string, JsonSchema>;
  errors(...codes: number[]): Record<string, JsonSchema>;
  /** The `{id}` path parameter of case routes, documented from its zod schema. */
  caseIdParam: JsonSchema;
  jsonBody(schema: string): JsonSchema;
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const text = (description: string): JsonSchema => ({ type: 'string', description });
const nullableText = (description: string): JsonSchema => ({ type: ['string', 'null'], description });

const clockSchema: JsonSchema = {
  type: 'object',
  description: "The case's legal clock.",
  properties: {
    deadline: { type: 'string', format: 'date-time', description: 'When the platform must have acted (ISO 8601, UTC).' },
    time_left_seconds: { type: 'integer', description: 'Seconds until the deadline; negative once it has passed.' },
    overdue: { type: 'boolean', description: 'True once the deadline has passed.' },
    rule: text('The id of the clock rule that set the deadline (policies/clocks.yaml).'),
    basis: { enum: ['statutory', 'target'], description: '`statutory`: a deadline in law; `target`: a deadline this deployment chose.' },
    source: { type: 'object', description: "The rule's legal source: title, citation, URL, in-force date." },
  },
};

const caseSchema: JsonSchema = {
  type: 'object',
  description: 'A case: one piece of reported content, its clock and where it stands.',
  properties: {
    id: text('The case id, `case_` and 32 hex digits.'),
    state: { enum: [...CASE_STATES], description: 'Where the case stands: open → in_review → actioned | declined → appealed → closed.' },
    jurisdiction: text('ISO 3166-1 alpha-2, `EU`, or `ZZ` when unknown (cases opened by the policy).'),
    category: text('The report category: ncii, csam, sexual_deepfake, nudity or other.'),
    content: {
      type: 'object',
      description: 'The reported content as identified: never the image itself.',
      properties: {
        id: nullableText("The platform's content id; `decision:<id>` for a case the policy opened."),
        url: nullableText('Where the content is.'),
        image_sha256: nullableText('SHA-256 of the reported image.'),
        image_pdq: nullableText('PDQ hash of the reported image (64 hex digits).'),
      },
    },
    assignee: nullableText('Who works the case.'),
    automated: { type: 'boolean', description: 'True when the case was opened or acted on without a person (bank match, policy).' },
    opened_at: { type: 'string', format: 'date-time', description: 'When the first report arrived.' },
    updated_at: { type: 'string', format: 'date-time', description: 'When the case last changed.' },
    clock: clockSchema,
    allowed_actions: { type: 'array', items: { enum: [...CASE_ACTIONS] }, description: 'The action types the case accepts in its state.' },
  },
};

const caseDetailSchema: JsonSchema = {
  allOf: [
    ref('Case'),
    {
      type: 'object',
      description: "The case's reports, history, webhooks and ledger trace.",
      properties: {
        reports: {
          type: 'array',
          description: 'Every report that joined the case, oldest first.',
          items: {
            type: 'object',
            description: 'One report as received.',
            properties: {
              id: text('The report id, `rep_` and 32 hex digits.'),
              received_at: { type: 'string', format: 'date-time', description: 'When it arrived.' },
              reporter: { type: 'object', description: "The reporter's type, whether a key authenticated them, and their contact details." },
              jurisdiction: text('The jurisdiction the report named.'),
              category: text('The category the report named.'),
              content: { type: 'object', description: 'The content the report identified: id, url, image SHA-256.' },
              statements: { type: 'object', description: 'The explanation, good-faith and non-consent statements and the signature, as sent.' },
              missing: { type: 'array', items: { type: 'object' }, description: 'Legal elements the notice lacked: field, element, law.' },
              rule: text('The clock rule this report fell under.'),
              deadline: { type: 'string', format: 'date-time', description: "This report's own deadline (the case keeps the shortest)." },
            },
          },
        },
        events: {
          type: 'array',
          description: 'The history: every report, transition and action, in order.',
          items: {
            type: 'object',
            description: 'One history entry.',
            properties: {
              at: { type: 'string', format: 'date-time', description: 'When it happened.' },
              kind: text('opened, report, or the action type.'),
              actor: text('The API key id, `public`, `automatic` or `policy`.'),
              details: { type: 'object', description: 'What the entry records: from/to states, reasons, bank, webhook id.' },
            },
          },
        },
        webhooks: { type: 'array', items: { type: 'object' }, description: 'Webhook deliveries for this case with every attempt (see docs/webhooks.md).' },
        trace: {
          type: 'array',
          description: 'Outputs of this service the reported image is a near-duplicate of, from the generation ledger: who asked for it.',
          items: {
            type: 'object',
            description: 'One ledger match.',
            properties: {
              output_decision_id: text('The decision on the generated output.'),
              request_id: text('The decision on the request that produced it.'),
              requester_id: nullableText('The account that asked for it.'),
              distance: { type: 'integer', description: 'PDQ Hamming distance, 0 to 31.' },
              generated_at: { type: 'string', format: 'date-time', description: 'When the output was screened.' },
            },
          },
        },
      },
    },
  ],
};

const receiptSchema: JsonSchema = {
  type: 'object',
  description: 'The receipt of a report.',
  properties: {
    id: text('The report id.'),
    case_id: text('The case the report opened or joined.'),
    deadline: { type: 'string', format: 'date-time', description: "The case's deadline (the shortest of its reports)." },
    rule: { type: 'object', description: 'The clock rule that set the deadline: id, hours, basis, source.' },
    missing: {
      type: 'array',
      items: { type: 'object' },
      description: 'Legal elements the notice lacks, each with its field and law; the report is kept anyway.',
    },
    merged: { type: 'boolean', description: 'True when the report joined a case already open about the same content.' },
    removed_automatically: {
      type: 'object',
      description: 'Present when the image matched a bank of known content and was removed at once: bank, purpose, distance.',
    },
  },
};

const escalationSchema: JsonSchema = {
  type: 'object',
  description:
    'A child-safety report package in the elements of NCMEC’s CyberTipline Reporting API, prepared for a person to check, complete and submit. Perisai never submits it.',
  properties: {
    id: text('The package id, `esc_` and 32 hex digits.'),
    recipient: { enum: ['ncmec'], description: 'Whom the package is for: NCMEC’s CyberTipline.' },
    case_id: nullableText('The case it was built for; null for a package the policy built on a decision.'),
    decision_id: nullableText('The screening decision it covers, if any.'),
    created_at: { type: 'string', format: 'date-time', description: 'When it was built.' },
    actor: text('Who built it: the API key id of the reviewer, or `policy`.'),
    submitted: { type: 'boolean', description: 'Always false: Perisai does not submit; a person does.' },
    report_xml: text('The `<report>` document for the Reporting API’s submit step, elements in the schema’s order.'),
    file_details_xml: { type: 'array', items: { type: 'string' }, description: 'One `<fileDetails>` document per file, for the fileinfo step.' },
    trace: {
      type: 'array',
      description: 'The generation ledger’s record of where the content came from.',
      items: {
        type: 'object',
        properties: {
          output_decision_id: text('The decision on the generated output.'),
          request_id: text('The decision on the request that produced it.'),
          requester_id: nullableText('The account that asked for it.'),
          distance: { type: 'integer', description: 'PDQ Hamming distance to the content.' },
          generated_at: { type: 'string', format: 'date-time', description: 'When it was generated.' },
        },
      },
    },
    evidence: {
      type: 'array',
      description: 'The encrypted evidence kept for the package (pixels are exported by a person with `perisai escalations export`).',
      items: {
        type: 'object',
        properties: {
          id: text('The evidence id, `evd_` and 32 hex digits.'),
          sha256: text('SHA-256 of the image.'),
          bytes: { type: 'integer', description: 'Size of the image.' },
          retain_until: { type: 'string', format: 'date-time', description: 'Kept at least until then (a legal hold keeps it longer).' },
          purged: { type: 'boolean', description: 'True once the retention passed and the pixels were deleted.' },
        },
      },
    },
    to_complete: {
      type: 'array',
      items: { type: 'string' },
      description: 'What the person must fill in before submitting (reporter, NCMEC’s report and file ids).',
    },
    omitted: { type: 'array', items: { type: 'string' }, description: 'What the package leaves out and why (e.g. IP addresses Perisai never sees).' },
  },
};

export const caseSchemas: Record<string, JsonSchema> = {
  Case: caseSchema,
  Escalation: escalationSchema,
  CaseDetail: caseDetailSchema,
  CasePage: {
    type: 'object',
    description: 'One page of the queue.',
    properties: {
      cases: { type: 'array', items: ref('Case'), description: 'Soonest deadline first.' },
      next_cursor: nullableText('Pass as `cursor` for the next page; null on the last page.'),
    },
  },
  ReportReceipt: receiptSchema,
};

export function casePaths(parts: OpenApiParts): Record<string, Record<string, JsonSchema>> {
  const { secured, ok, errors, caseIdParam, jsonBody } = parts;
  const json = (description: string, schema: string) => ({ description, content: { 'application/json': { schema: ref(schema) } } });
  const query = (name: string, description: string, schema: JsonSchema = { type: 'string' }) => ({ name, in: 'query', description, schema });
  return {
    '/v1/reports': {
      post: {
        summary: 'Report content (notice and takedown): opens or joins a case and starts its legal clock',
        description:
          'No key needed: without one, limited per address (PERISAI_REPORT_RATE_LIMIT a minute). A key with scope `reports` marks the reporter as authenticated. A notice lacking legal elements is kept, with `missing`.',
        security: [{}, { apiKey: ['reports'] }],
        requestBody: jsonBody('Report'),
        responses: { '201': json('The receipt.', 'ReportReceipt'), ...errors(400, 401, 403, 413, 429) },
      },
    },
    '/v1/cases': {
      get: {
        summary: 'The case queue, soonest deadline first, keyset-paged',
        security: secured,
        parameters: [
          query('state', 'Only cases in this state.', { enum: [...CASE_STATES] }),
          query('jurisdiction', 'Only cases of this jurisdiction (ISO 3166-1 alpha-2 or EU).'),
          query('category', 'Only cases of this category.'),
          query('assignee', 'Only cases assigned to this reviewer.'),
          query('overdue', '`true`: only cases past their deadline that still await a decision (open, in review, appealed).', { enum: ['true', 'false'] }),
          query('limit', 'Cases per page.', { type: 'integer', minimum: 1, maximum: 500, default: 50 }),
          query('cursor', 'The `next_cursor` of the previous page.'),
        ],
        responses: { '200': json('A page of cases.', 'CasePage'), ...errors(400, 401, 403) },
      },
    },
    '/v1/cases/{id}': {
      get: {
        summary: 'A case with its reports, clock, history, webhooks and generation-ledger trace',
        security: secured,
        parameters: [caseIdParam],
        responses: { '200': json('The case.', 'CaseDetail'), ...errors(400, 401, 403, 404) },
      },
    },
    '/v1/cases/{id}/escalation': {
      get: {
        summary: 'The CyberTipline report package of a case escalated to NCMEC, for a person to submit',
        description: 'Scope `cases`. Built when the case is escalated with `to: "ncmec"`; 404 until then. Perisai never submits it.',
        security: secured,
        parameters: [caseIdParam],
        responses: { '200': json('The package.', 'Escalation'), ...errors(400, 401, 403, 404) },
      },
    },
    '/v1/cases/{id}/actions': {
      post: {
        summary: 'Act on a case: assign, note, remove, bank, decline, escalate, notify, appeal or close',
        description: 'One action, named by `type`. An action the state does not accept is 409, naming those it does.',
        security: secured,
        parameters: [caseIdParam],
        requestBody: jsonBody('CaseAction'),
        responses: { ...ok('The case after the action.', 400, 401, 403, 404, 409), '200': json('The case after the action.', 'CaseDetail') },
      },
    },
  };
}
