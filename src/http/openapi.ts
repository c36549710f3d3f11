import { z } from 'zod';

import { CATEGORIES, OUTCOMES } from '../domain/decision.js';
import { accountIdParam, reinstateBodySchema, suspendBodySchema } from '../services/accounts.js';
import { appealBodySchema } from '../services/appeals.js';
import { bankNameSchema, createBankSchema } from '../services/banks.js';
import { caseActionSchema, caseIdSchema } from '../services/cases.js';
import { accountParam, consentPatchSchema, consentSettingsSchema, pdqHex, protectedHashesSchema } from '../services/consent.js';
import { decisionIdParam } from '../services/decision-view.js';
import { ledgerLookupSchema } from '../services/ledger.js';
import { moderationRequestSchema } from '../services/moderation.js';
import { reportBodySchema } from '../services/reports.js';
import { screenOutputSchema, screenRequestSchema } from '../services/screen-request.js';
import { transparencyQueryFields } from '../services/transparency.js';
import { accountPaths, accountSchemas } from './openapi-accounts.js';
import { casePaths, caseSchemas } from './openapi-cases.js';
import { imagePaths, imageSchemas } from './openapi-images.js';
import { moderationPaths, openAiSchemas } from './openapi-openai.js';
import { responseSchemas } from './openapi-responses.js';
import { transparencyPaths, transparencySchemas } from './openapi-transparency.js';

type JsonSchema = Record<string, unknown>;

/** JSON Schema of what a client sends (the request side of a schema, before transforms). */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'Stable machine-readable code, e.g. invalid_request, unauthorized, image_truncated.' },
    message: { type: 'string', description: 'A sentence that says what is wrong and what to do.' },
    details: { type: 'object', description: 'Extra facts about the error when there are any, e.g. the fields that failed and why.' },
  },
};

const decisionSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'decision', 'categories', 'reasons', 'policy_version', 'signals'],
  properties: {
    id: { type: 'string', example: 'dec_3f1c…', description: 'The decision id: "dec_" and 32 hex digits. Read it again at GET /v1/decisions/{id}.' },
    created_at: { type: 'string', format: 'date-time', description: 'When the decision was recorded (ISO 8601, UTC).' },
    stage: {
      enum: ['request', 'output'],
      description: '"request" for POST /v1/screen (before generation), "output" for POST /v1/screen/output (a generated image).',
    },
    decision: {
      enum: [...OUTCOMES],
      description: '"allow": go ahead; "review": hold until a person has looked; "block": refuse. When several rules fire, the strictest wins.',
    },
    categories: { type: 'array', items: { enum: [...CATEGORIES] }, description: 'The harm categories of the rules that fired; empty when nothing fired.' },
    reasons: {
      type: 'array',
      description: 'One entry per rule that fired, with the evidence it relied on.',
      items: {
        type: 'object',
        properties: {
          rule: { type: 'string', description: 'The id of the policy rule that fired.' },
          category: { enum: [...CATEGORIES], description: 'The harm category of the rule.' },
          message: { type: 'string', description: 'For the requester and the reviewer: what was refused and why.' },
          evidence: {
            type: 'array',
            description: 'Why the facts the rule needed hold.',
            items: {
              type: 'object',
              properties: {
                source: {
                  enum: ['text', 'subject', 'image', 'consent', 'bank', 'account', 'detector'],
                  description:
                    'Where the evidence comes from: the prompt text, the declared subject, an image detector, a consent record, a hash bank, the account, a detector failure.',
                },
                fact: { type: 'string', description: 'The fact this supports, e.g. "sexualisation", "minor".' },
                detail: { type: 'string', description: 'A sentence saying what was observed.' },
                span: {
                  type: 'array',
                  items: { type: 'integer' },
                  description: 'For text evidence: [start, end) character offsets into the prompt, end exclusive.',
                },
                text: { type: 'string', description: 'For text evidence: the words of the prompt at span.' },
              },
            },
          },
        },
      },
    },
    actions: {
      type: 'array',
      items: { enum: ['escalate', 'strike', 'open_case', 'bank_output'] },
      description:
        'What Perisai does besides answering: "escalate" (report as suspected child abuse material), "strike" (count against the account), "open_case" (for moderators), "bank_output" (add the image hash to a bank).',
    },
    policy_version: { type: 'string', description: 'The version of the policy that made the decision.' },
    signals: {
      type: 'object',
      description:
        'What the detectors observed: language, sexualisation level, target, minor cues, evidence spans, image hashes and scores, the facts the policy saw.',
    },
  },
};

function errors(...codes: number[]): Record<string, JsonSchema> {
  const descriptions: Record<number, string> = {
    400: 'Invalid JSON or invalid fields; the message names each field.',
    401: 'Missing, unknown or revoked API key.',
    403: 'The key lacks the required scope.',
    404: 'Not found.',
    409: 'Already exists.',
    413: 'Body or image too large (bytes or pixels).',
    415: 'Unsupported content type or image format.',
    422: 'An image that cannot be decoded (truncated, corrupt).',
    503: 'Busy or the store is unavailable; retry after the Retry-After header.',
  };
  return Object.fromEntries(
    codes.map((code) => [
      String(code),
      { description: descriptions[code], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]),
  );
}

function jsonBody(schema: string): JsonSchema {
  return { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } };
}

/** A parameter documented from the zod schema its route parses it with, description included. */
function param(name: string, where: 'path' | 'query', schema: z.ZodType): JsonSchema {
  const { description, ...rest } = inputSchema(schema);
  return { name, in: where, ...(where === 'path' ? { required: true } : {}), description, schema: rest };
}

const PARAMS = {
  account: param('account', 'path', accountParam),
  pdq: param('pdq', 'path', pdqHex.describe('The PDQ hash: 64 hexadecimal digits (either case).')),
  name: param('name', 'path', bankNameSchema),
  id: param('id', 'path', decisionIdParam),
} as const;

function pathParam(name: keyof typeof PARAMS): JsonSchema {
  return PARAMS[name];
}

function ok(description: string, ...codes: number[]): Record<string, JsonSchema> {
  return { '200': { description }, ...errors(...codes) };
}

/** A 200 whose JSON body is the named component schema. */
function okAs(schema: string, description: string, ...codes: number[]): Record<string, JsonSchema> {
  return { '200': { description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } }, ...errors(...codes) };
}

/**
 * The scope each group of routes needs, as its plugin under `http/routes/` asks `requireScope`
 * for it. An operation marked `secured` under a prefix missing here fails the OpenAPI test.
 */
const SCOPE_BY_PREFIX: ReadonlyArray<readonly [string, string]> = [
  ['/v1/screen', 'screen'],
  ['/v1/decisions', 'decisions:read'],
  ['/v1/ledger', 'decisions:read'],
  ['/v1/consent', 'consent'],
  ['/v1/banks', 'banks'],
  ['/v1/audit', 'audit'],
  ['/v1/cases', 'cases'],
  ['/v1/moderations', 'screen'],
  ['/v1/transparency', 'reports'],
  ['/v1/images', 'images'],
  ['/v1/accounts', 'enforcement'],
  ['/v1/appeals', 'reports'],
];

/** Names the required scope on every secured operation, in `security` and in its description. */
function withScopes(paths: Record<string, Record<string, JsonSchema>>): Record<string, Record<string, JsonSchema>> {
  for (const [path, methods] of Object.entries(paths)) {
    const scope = SCOPE_BY_PREFIX.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`))?.[1];
    for (const op of Object.values(methods)) {
      if (!Array.isArray(op.security) || op.security.length === 0 || scope === undefined) continue;
      op.security = [{ apiKey: [scope] }];
      const description = typeof op.description === 'string' ? op.description : '';
      if (!description.includes(`Needs scope \`${scope}\``)) op.description = `Needs scope \`${scope}\`.${description ? ` ${description}` : ''}`;
    }
  }
  return paths;
}

export function openApiDocument(version: string): JsonSchema {
  const secured = [{ apiKey: [] }];
  // Operations anyone may call say so with an empty requirement, so "no scope" is never an omission.
  const open: JsonSchema[] = [];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Perisai',
      version,
      description:
        'Screens AI image generation and editing requests and outputs: refuses sexualising edits of real people without consent and anything sexual involving minors.',
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer psk_…`.' } },
      schemas: {
        Error: errorSchema,
        Decision: decisionSchema,
        ScreenRequest: inputSchema(screenRequestSchema),
        ScreenOutput: inputSchema(screenOutputSchema),
        ConsentSettings: inputSchema(consentSettingsSchema),
        ConsentPatch: inputSchema(consentPatchSchema),
        ProtectedHashes: inputSchema(protectedHashesSchema),
        CreateBank: inputSchema(createBankSchema),
        LedgerLookup: inputSchema(ledgerLookupSchema),
        Report: inputSchema(reportBodySchema),
        CaseAction: inputSchema(caseActionSchema),
        ...caseSchemas,
        ...accountSchemas,
        SuspendAccount: inputSchema(suspendBodySchema),
        ReinstateAccount: inputSchema(reinstateBodySchema),
        Appeal: inputSchema(appealBodySchema),
        ...responseSchemas,
        ModerationRequest: inputSchema(moderationRequestSchema),
        ...openAiSchemas,
        ...transparencySchemas,
        ...imageSchemas,
      },
    },
    paths: withScopes({
      ...moderationPaths(secured),
      ...imagePaths(secured),
      ...transparencyPaths({ secured, errors, param, query: transparencyQueryFields }),
      ...accountPaths({ secured, errors, jsonBody, accountIdParam: param('id', 'path', accountIdParam) }),
      ...casePaths({ secured, ok, errors, jsonBody, caseIdParam: param('id', 'path', caseIdSchema.describe('The case id, as the report receipt names it.')) }),
      '/v1/screen': {
        post: {
          summary: 'Screen a request before generation',
          description: 'Needs scope `screen`. Returns allow, block or review, the categories and rules that fired, and the evidence.',
          security: secured,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/ScreenRequest' },
                example: { prompt: 'put her in a winter coat', subject: 'adult', requester: { id: 'acct-7', country: 'ID' } },
              },
            },
          },
          responses: {
            '200': { description: 'The decision, already recorded.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Decision' } } } },
            ...errors(400, 401, 403, 413, 415, 422, 503),
          },
        },
      },
      '/v1/decisions/{id}': {
        get: {
          summary: 'Read a recorded decision',
          description: 'Needs scope `decisions:read`.',
          security: secured,
          parameters: [pathParam('id')],
          responses: {
            '200': { description: 'The decision.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Decision' } } } },
            ...errors(400, 401, 403, 404),
          },
        },
      },
      '/v1/screen/output': {
        post: {
          summary: 'Screen a generated image before anyone sees it',
          description: 'Needs scope `screen`. Records the image in the generation ledger (PDQ + SHA-256) against the request that produced it.',
          security: secured,
          requestBody: jsonBody('ScreenOutput'),
          responses: {
            '200': { description: 'The decision.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Decision' } } } },
            ...errors(400, 401, 403, 404, 413, 415, 422, 503),
          },
        },
      },
      '/v1/ledger/lookup': {
        post: {
          summary: 'Trace a circulating image to the request that made it (near-duplicate by PDQ, or exact SHA-256)',
          description: 'Needs scope `decisions:read`.',
          security: secured,
          requestBody: jsonBody('LedgerLookup'),
          responses: okAs('LedgerMatches', 'Matches, nearest first.', 400, 401, 403),
        },
      },
      '/v1/consent/{account}': {
        get: {
          summary: "An account's AI-edit consent (defaults: no edits by others, edits by self allowed)",
          description: 'Needs scope `consent`.',
          security: secured,
          parameters: [pathParam('account')],
          responses: okAs('ConsentView', 'The settings.', 401, 403),
        },
        put: {
          summary: 'Set consent',
          security: secured,
          parameters: [pathParam('account')],
          requestBody: jsonBody('ConsentSettings'),
          responses: okAs('ConsentView', 'The settings.', 400, 401, 403),
        },
        patch: {
          summary: 'Change one or both consent settings; the other keeps its stored (or default) value',
          security: secured,
          parameters: [pathParam('account')],
          requestBody: jsonBody('ConsentPatch'),
          responses: okAs('ConsentView', 'The settings as they now stand.', 400, 401, 403),
        },
        delete: {
          summary: 'Erase the settings (defaults apply again)',
          security: secured,
          parameters: [pathParam('account')],
          responses: okAs('ConsentErased', 'Erased.', 401, 403),
        },
      },
      '/v1/consent/{account}/protected-hashes': {
        post: {
          summary: 'Protect photos by their PDQ hashes (never the pixels): matches within distance 31 are refused for anyone',
          security: secured,
          parameters: [pathParam('account')],
          requestBody: jsonBody('ProtectedHashes'),
          responses: okAs('ProtectedHashesAdded', 'Added (201 when any hash was new).', 400, 401, 403, 409),
        },
        get: {
          summary: "List the account's protected hashes",
          security: secured,
          parameters: [pathParam('account')],
          responses: okAs('ProtectedHashList', 'The hashes.', 401, 403),
        },
        delete: {
          summary: "Erase all the account's protected hashes, effective at once",
          security: secured,
          parameters: [pathParam('account')],
          responses: okAs('Deleted', 'Deleted.', 401, 403),
        },
      },
      '/v1/consent/{account}/protected-hashes/{pdq}': {
        delete: {
          summary: 'Erase one protected hash',
          security: secured,
          parameters: [pathParam('account'), pathParam('pdq')],
          responses: okAs('Deleted', 'Deleted.', 400, 401, 403, 404),
        },
      },
      '/v1/banks': {
        get: { summary: 'List hash banks', description: 'Needs scope `banks`.', security: secured, responses: okAs('BankList', 'The banks.', 401, 403) },
        post: {
          summary: 'Create a bank',
          security: secured,
          requestBody: jsonBody('CreateBank'),
          responses: okAs('Bank', 'Created (201).', 400, 401, 403, 409),
        },
      },
      '/v1/banks/{name}': {
        get: { summary: 'A bank', security: secured, parameters: [pathParam('name')], responses: okAs('Bank', 'The bank.', 401, 403, 404) },
        patch: {
          summary: 'Activate or deactivate a bank: `{ "active": false }`',
          security: secured,
          parameters: [pathParam('name')],
          responses: okAs('Bank', 'The bank.', 400, 401, 403, 404),
        },
        delete: { summary: 'Delete a bank and its hashes', security: secured, parameters: [pathParam('name')], responses: ok('Deleted.', 401, 403, 404) },
      },
      '/v1/banks/{name}/hashes': {
        post: {
          summary: 'Import hashes, all or nothing; re-import is idempotent',
          description:
            'Body: `pdq_hex,quality[,label]` lines (text/plain), CSV with a header (text/csv), JSONL (application/x-ndjson), or JSON `{ "hashes": [...] }`. `?format=` overrides detection.',
          security: secured,
          parameters: [pathParam('name')],
          responses: okAs('BankImport', 'Counts of added and already-present hashes.', 400, 401, 403, 404, 413),
        },
        get: {
          summary: 'Export a bank, one hash a line',
          security: secured,
          parameters: [
            pathParam('name'),
            {
              name: 'format',
              in: 'query',
              description: '"jsonl" (one JSON object a line, the default), "csv" (with a header) or "pdq" (pdq_hex,quality[,label] lines).',
              schema: { enum: ['jsonl', 'csv', 'pdq'], default: 'jsonl' },
            },
          ],
          responses: ok('The hash list.', 401, 403, 404),
        },
      },
      '/v1/banks/{name}/hashes/{pdq}': {
        delete: {
          summary: 'Remove one hash',
          security: secured,
          parameters: [pathParam('name'), pathParam('pdq')],
          responses: ok('Removed.', 400, 401, 403, 404),
        },
      },
      '/v1/audit': {
        get: {
          summary: 'The audit log, page by page: every field each entry hash covers, so an auditor can re-verify the chain',
          description: 'Needs scope `audit`. `after` is the last entry number already read (0 to start); follow `next_after` until it is null.',
          security: secured,
          parameters: [
            {
              name: 'after',
              in: 'query',
              description: 'The number of the last entry already read; entries after it are returned. 0 (the default) starts at the beginning.',
              schema: { type: 'integer', minimum: 0, default: 0 },
            },
            {
              name: 'limit',
              in: 'query',
              description: 'How many entries at most in this page, 1-1000; default 100.',
              schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            },
          ],
          responses: okAs('AuditPage', 'A page of entries.', 400, 401, 403),
        },
      },
      '/v1/audit/checkpoint': {
        get: {
          summary: "A checkpoint of the chain's length and head hash, signed with the audit key (Ed25519): keep it outside the database",
          description: 'Needs scope `audit`.',
          security: secured,
          responses: okAs('AuditCheckpoint', 'The signed checkpoint.', 401, 403),
        },
      },
      '/healthz': { get: { summary: 'Liveness', description: 'No key needed.', security: open, responses: { '200': { description: 'The process is up.' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: the store answers and a policy is loaded',
          description: 'No key needed.',
          security: open,
          responses: { '200': { description: 'Ready.' }, '503': { description: 'Not ready.' } },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          description: 'No key needed, unless PERISAI_METRICS_KEY_REQUIRED=1: then scope `metrics` (or `admin`).',
          security: [{}, { apiKey: ['metrics'] }],
          responses: { '200': { description: 'Text exposition format.' } },
        },
      },
    }),
  };
}

/** A self-contained docs page (no scripts or assets from elsewhere: the service works offline). */
/**
 * The human page at /docs: every operation with its scope, parameters, body and answers, then
 * every schema as a table of its fields with their descriptions, all from the OpenAPI document
 * so the page and the machine-readable document cannot drift apart.
 */
export function docsPage(doc: JsonSchema): string {
  type Operation = { summary?: string; description?: string; parameters?: JsonSchema[]; requestBody?: JsonSchema; responses?: Record<string, JsonSchema> };
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const schemas = (doc.components as { schemas: Record<string, JsonSchema> }).schemas;
  const operations = Object.entries(paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => {
        const parameters = (op.parameters ?? []).map(
          (p) =>
            `<tr><td><code>${escapeHtml(String(p.name))}</code> (${escapeHtml(String(p.in))})</td><td>${typeOf(p.schema)}</td><td>${escapeHtml(String(p.description ?? ''))}</td></tr>`,
        );
        const bodies = op.requestBody?.content as Record<string, { schema?: JsonSchema }> | undefined;
        const body = schemaLink((bodies?.['application/json'] ?? bodies?.['multipart/form-data'])?.schema);
        const answers = Object.entries(op.responses ?? {}).map(([code, response]) => {
          const schema = schemaLink((response.content as Record<string, { schema?: JsonSchema }> | undefined)?.['application/json']?.schema);
          return `<li><code>${escapeHtml(code)}</code> ${escapeHtml(String(response.description ?? ''))}${schema ? ` (${schema})` : ''}</li>`;
        });
        return [
          `<section><h2><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h2><p>${escapeHtml(op.summary ?? '')}</p>`,
          op.description ? `<p>${escapeHtml(op.description)}</p>` : '',
          parameters.length > 0 ? `<table><tr><th>parameter</th><th>type</th><th>meaning</th></tr>${parameters.join('')}</table>` : '',
          body ? `<p>Body: ${body}</p>` : '',
          answers.length > 0 ? `<ul>${answers.join('')}</ul>` : '',
          '</section>',
        ].join('');
      }),
    )
    .join('\n');
  const schemaSections = Object.entries(schemas)
    .map(([name, schema]) => {
      const rows = fieldRows(schema, '');
      return `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${schema.description ? `<p>${escapeHtml(String(schema.description))}</p>` : ''}${
        rows.length > 0 ? `<table><tr><th>field</th><th>type</th><th>meaning</th></tr>${rows.join('')}</table>` : ''
      }</section>`;
    })
    .join('\n');
  const info = doc.info as { title: string; version: string; description: string };
  const serverUrl = (doc.servers as Array<{ url: string }> | undefined)?.[0]?.url ?? 'http://127.0.0.1:8787';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.title)} API</title>
<style>body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;line-height:1.5}code,pre{background:#f4f4f4;padding:.1rem .3rem;border-radius:3px}pre{padding:1rem;overflow:auto}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;vertical-align:top;text-align:left}</style></head>
<body><h1>${escapeHtml(info.title)} API <small>${escapeHtml(info.version)}</small></h1><p>${escapeHtml(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>.</p>
<h2>Example</h2><pre>curl -s ${escapeHtml(serverUrl)}/v1/screen -H "authorization: Bearer $PERISAI_KEY" -H 'content-type: application/json' -d '{"prompt":"put her in a bikini","subject":"adult"}'</pre>
${operations}
<h2>Schemas</h2>
${schemaSections}
</body></html>`;
}

/** One table row per field, nested fields as `parent.child` and array items as `parent[].child`. */
function fieldRows(schema: unknown, prefix: string, depth = 0): string[] {
  if (typeof schema !== 'object' || schema === null || depth > 8) return [];
  const node = schema as JsonSchema;
  const rows: string[] = [];
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    const members = node[key];
    if (Array.isArray(members)) for (const member of members) rows.push(...fieldRows(member, prefix, depth + 1));
  }
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  for (const [name, property] of Object.entries(properties ?? {})) {
    const path = `${prefix}${name}`;
    rows.push(`<tr><td><code>${escapeHtml(path)}</code></td><td>${typeOf(property)}</td><td>${escapeHtml(String(property.description ?? ''))}</td></tr>`);
    rows.push(...fieldRows(property, `${path}.`, depth + 1));
    if (typeof property.items === 'object' && property.items !== null) rows.push(...fieldRows(property.items, `${path}[].`, depth + 1));
  }
  return rows;
}

function typeOf(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return '';
  const node = schema as JsonSchema;
  const link = schemaLink(node);
  if (link) return link;
  if (node.const !== undefined) return `<code>${escapeHtml(JSON.stringify(node.const))}</code>`;
  if (Array.isArray(node.enum)) return `one of ${node.enum.map((v) => `<code>${escapeHtml(String(v))}</code>`).join(', ')}`;
  if (node.type === 'array') return `array of ${typeOf(node.items) || 'values'}`;
  const type = Array.isArray(node.type)
    ? node.type.join(' or ')
    : typeof node.type === 'string'
      ? node.type
      : Array.isArray(node.oneOf)
        ? 'one of several shapes'
        : '';
  return escapeHtml(type);
}

function schemaLink(schema: unknown): string {
  const ref = typeof schema === 'object' && schema !== null ? (schema as JsonSchema).$ref : undefined;
  if (typeof ref !== 'string') return '';
  const name = ref.split('/').at(-1) ?? ref;
  return `<a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
