import type { z } from 'zod';

import { OUTCOMES } from '../domain/decision.js';
import { REPORTER_TYPES } from '../domain/reports.js';
import { COUNTED_ACTIONS, STATEMENT_RESTRICTIONS } from '../domain/transparency.js';

type JsonSchema = Record<string, unknown>;

const count = (description: string): JsonSchema => ({ type: 'integer', minimum: 0, description });
const counts = (keys: readonly string[], description: string, each: (key: string) => string): JsonSchema => ({
  type: 'object',
  description,
  properties: Object.fromEntries(keys.map((key) => [key, count(each(key))])),
});

const figures: JsonSchema = {
  type: 'object',
  description: 'The figures of one jurisdiction and category, or of the whole period.',
  properties: {
    screenings: {
      type: 'object',
      description: 'Screening decisions recorded in the period (requests and outputs).',
      properties: {
        total: count('Decisions recorded.'),
        by_outcome: counts(OUTCOMES, 'Decisions by outcome.', (o) => `Decisions with the outcome "${o}".`),
      },
    },
    reports: {
      type: 'object',
      description: 'Notices received in the period.',
      properties: {
        total: count('Reports received.'),
        by_reporter_type: counts(REPORTER_TYPES, 'Reports by who sent them.', (t) => `Reports whose reporter type is "${t}".`),
      },
    },
    actions: {
      type: 'object',
      description: 'Case actions taken in the period, attributed to the case’s jurisdiction and category.',
      properties: {
        total: count('Actions taken.'),
        by_type: counts(COUNTED_ACTIONS, 'Actions by type.', (a) => `"${a}" actions.`),
        automated: count('Actions taken without a person (automatic removal, the policy).'),
        human: count('Actions a person took.'),
      },
    },
    statements: {
      type: 'object',
      description: 'Statements of reasons made in the period (DSA Art. 17).',
      properties: {
        total: count('Statements made.'),
        by_restriction: counts(STATEMENT_RESTRICTIONS, 'Statements by what was restricted.', (r) => `Statements of a "${r}" restriction.`),
        automated: count('Statements of fully automated decisions.'),
        human: count('Statements of decisions a person took.'),
      },
    },
    time_to_action: {
      type: 'object',
      description: 'From a report received in the period to the first restricting action (remove or bank) on its case before the period ends.',
      properties: {
        actioned: count('Reports whose content was restricted after they arrived.'),
        already_actioned: count('Reports about content already restricted when they arrived (not in the times).'),
        median_seconds: { type: ['number', 'null'], description: 'Median seconds to action (linear interpolation); null without actioned reports.' },
        p90_seconds: { type: ['number', 'null'], description: '90th-percentile seconds to action (linear interpolation); null without actioned reports.' },
      },
    },
    deadline: {
      type: 'object',
      description: 'Reports received in the period against their legal clock.',
      properties: {
        due: count('Reports decided (remove, bank or decline) or whose deadline passed before the period ended.'),
        met: count('Reports decided by their deadline.'),
        share: { type: ['number', 'null'], description: 'met / due, 0 to 1; null when nothing was due.' },
      },
    },
    appeals: {
      type: 'object',
      description: 'Appeals against case outcomes lodged in the period.',
      properties: {
        received: count('Appeals lodged.'),
        decided: count('Appeals followed by a new removal or decline before the period ended.'),
        reversed: count('Appeals whose decision went the other way (a removal declined, or a decline removed).'),
      },
    },
  },
};

const period: JsonSchema = {
  type: 'object',
  description: 'The period: [from, to).',
  properties: {
    from: { type: 'string', format: 'date-time', description: 'Start, inclusive (ISO 8601, UTC).' },
    to: { type: 'string', format: 'date-time', description: 'End, exclusive (ISO 8601, UTC).' },
  },
};

export const transparencySchemas: Record<string, JsonSchema> = {
  TransparencyFigures: figures,
  TransparencyReport: {
    type: 'object',
    description: 'Transparency figures for a period, per jurisdiction and category; docs/transparency.md maps them to the EU and Indian templates.',
    properties: {
      period,
      generated_at: { type: 'string', format: 'date-time', description: 'When the figures were computed.' },
      totals: { allOf: [{ $ref: '#/components/schemas/TransparencyFigures' }], description: 'The whole period (medians over all reports).' },
      groups: {
        type: 'array',
        description: 'One entry per jurisdiction and category that had any figure, sorted by both.',
        items: {
          allOf: [
            {
              type: 'object',
              properties: {
                jurisdiction: { type: 'string', description: 'ISO 3166-1 alpha-2, `EU`, or `ZZ` when unknown.' },
                category: { type: 'string', description: 'ncii, csam, sexual_deepfake, nudity, other; `none` for decisions no rule fired on.' },
              },
            },
            { $ref: '#/components/schemas/TransparencyFigures' },
          ],
        },
      },
    },
  },
};

export function transparencyPaths(parts: {
  secured: JsonSchema[];
  errors(...codes: number[]): Record<string, JsonSchema>;
  param(name: string, where: 'path' | 'query', schema: z.ZodType): JsonSchema;
  query: { from: z.ZodType; to: z.ZodType; format: z.ZodType };
}): Record<string, Record<string, JsonSchema>> {
  return {
    '/v1/transparency': {
      get: {
        summary: 'Transparency figures for a period: screenings, reports, actions, time to action, deadlines, appeals, statements of reasons',
        description: 'Needs scope `reports`. `format=csv` answers one row per jurisdiction and category and a last `ALL,ALL` row with the totals.',
        security: parts.secured,
        parameters: [
          parts.param('from', 'query', parts.query.from),
          parts.param('to', 'query', parts.query.to),
          parts.param('format', 'query', parts.query.format),
        ],
        responses: {
          '200': {
            description: 'The figures.',
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/TransparencyReport' } },
              'text/csv': { schema: { type: 'string', description: 'RFC 4180 CSV with a header row; columns are the JSON fields joined by underscores.' } },
            },
          },
          ...parts.errors(400, 401, 403, 503),
        },
      },
    },
  };
}
