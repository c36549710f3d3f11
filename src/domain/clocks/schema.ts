import { z } from 'zod';

import { REPORT_CATEGORIES, REPORTER_TYPES } from '../reports.js';

/** ISO 3166-1 alpha-2 (upper case) or `EU`, which also covers every member state. */
export const JURISDICTION_PATTERN = /^(?:[A-Z]{2}|EU)$/;
const jurisdiction = z.string().regex(JURISDICTION_PATTERN, 'use an ISO 3166-1 alpha-2 country code in upper case (e.g. "IN", "US") or "EU"');

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use a date as YYYY-MM-DD (the day the obligation binds, UTC)')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), { message: 'not a calendar date' });

export const clockSourceSchema = z.strictObject(
  {
    title: z.string().min(1, 'name the law or the policy that sets this deadline'),
    citation: z.string().min(1, 'cite the section, article or rule that sets this deadline'),
    url: z.url().optional(),
    /** The rule applies to cases opened on or after this day (UTC). */
    in_force_from: isoDate.optional(),
  },
  {
    error: (issue) =>
      issue.input === undefined ? 'every rule needs a `source` with the `title` and `citation` of the law or policy that sets its deadline' : undefined,
  },
);

/** What a rule applies to; an absent field matches anything, so a rule with no `when` is a default. */
export const clockWhenSchema = z.strictObject({
  jurisdiction: jurisdiction.optional(),
  reporter_types: z.array(z.enum(REPORTER_TYPES)).min(1).optional(),
  categories: z.array(z.enum(REPORT_CATEGORIES)).min(1).optional(),
  /** `true`: a rule for appeal cases only (docs/enforcement.md); appeals use the ordinary rules when none fits. */
  appeal: z.literal(true).optional(),
});

export const clockRuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and hyphens'),
  when: clockWhenSchema.default({}),
  hours: z.number().positive('a deadline must be a positive number of hours'),
  /** `statutory`: the law fixes the figure; `target`: the law says "promptly" and we chose the figure. */
  basis: z.enum(['statutory', 'target']),
  source: clockSourceSchema,
  note: z.string().min(1).optional(),
  /**
   * A ceiling wherever it matches: no deadline longer than this one is chosen, however specific
   * the longer rule (csam: a regulator's 24 h notice does not give child abuse material 24 h).
   */
  ceiling: z.boolean().default(false),
});

export const clockFileSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and hyphens')
      .default('clocks'),
    description: z.string().optional(),
    alerts: z
      .strictObject({
        /** Alert when this fraction of the window is left (0.25: a quarter of the time remains). */
        remaining_fractions: z.array(z.number().gt(0).lt(1)).default([0.25]),
      })
      .default({ remaining_fractions: [0.25] }),
    rules: z.array(clockRuleSchema).min(1, 'list at least the default rule'),
  })
  .superRefine((file, ctx) => {
    for (const issue of duplicateRuleIds(file.rules)) ctx.addIssue({ code: 'custom', ...issue });
    const hasDefault = file.rules.some(
      (rule) =>
        rule.when.jurisdiction === undefined &&
        rule.when.reporter_types === undefined &&
        rule.when.categories === undefined &&
        rule.when.appeal === undefined &&
        rule.source.in_force_from === undefined,
    );
    if (!hasDefault) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules'],
        message: 'no default rule: add a rule with no `when` and no `in_force_from`, so every report gets a deadline',
      });
    }
  });

export type ClockFile = z.infer<typeof clockFileSchema>;

/**
 * Rule ids used twice, with where. Also run on the raw file by the loader: zod skips an object's
 * refinements while any field inside it is invalid, and a duplicate should be reported with the rest.
 */
export function duplicateRuleIds(rules: unknown): Array<{ path: Array<string | number>; message: string }> {
  if (!Array.isArray(rules)) return [];
  const seen = new Map<string, number>();
  const found: Array<{ path: Array<string | number>; message: string }> = [];
  rules.forEach((rule: unknown, index) => {
    const id = typeof rule === 'object' && rule !== null ? (rule as { id?: unknown }).id : undefined;
    if (typeof id !== 'string') return;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    else found.push({ path: ['rules', index, 'id'], message: `duplicate rule id "${id}" (first used by rules[${first}]); give each rule its own id` });
  });
  return found;
}
