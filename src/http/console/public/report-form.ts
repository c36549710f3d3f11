import type { z } from 'zod';

import { type ReportBody, reportBodySchema } from '../../../services/reports.js';
import type { ErrorKey, FormErrors, FormValues, ReportField } from './report-page.js';
import { FIELD_NAMES } from './report-page.js';

/** A form field's value: empty means "not given", which the API expresses by leaving the field out. */
const given = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value);

/** The body `POST /v1/reports` takes, built from the form's fields (the image as bytes, when one was chosen). */
export function reportCandidate(values: FormValues, image: Uint8Array | undefined): unknown {
  const reporter: Record<string, string | undefined> = {
    type: given(values.reporter_type),
    name: given(values.reporter_name),
    email: given(values.reporter_email),
    contact: given(values.reporter_contact),
  };
  const content: Record<string, unknown> = {
    id: given(values.content_id),
    url: given(values.content_url),
    // The schema takes base64 (the JSON API's form); the bytes came from the file input.
    image: image && image.length > 0 ? Buffer.from(image).toString('base64') : undefined,
  };
  const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return drop({
    reporter: drop(reporter),
    jurisdiction: given(values.jurisdiction),
    category: given(values.category),
    content: drop(content),
    explanation: given(values.explanation),
    good_faith: values.good_faith === 'on' ? true : undefined,
    non_consensual: values.non_consensual === 'on' ? true : undefined,
    signature: given(values.signature),
  });
}

const FIELD_BY_PATH: Record<string, ReportField> = {
  'reporter.type': 'reporter_type',
  'reporter.name': 'reporter_name',
  'reporter.email': 'reporter_email',
  'reporter.contact': 'reporter_contact',
  jurisdiction: 'jurisdiction',
  category: 'category',
  'content.id': 'content_id',
  'content.url': 'content_url',
  'content.image': 'image',
  content: 'content_url',
  explanation: 'explanation',
  signature: 'signature',
};

function keyFor(field: ReportField, issue: z.core.$ZodIssue, value: string | undefined): ErrorKey {
  if (issue.path.length === 1 && issue.path[0] === 'content') return 'err_content';
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return 'err_required';
  if (issue.code === 'too_big') return 'err_too_long';
  if (field === 'reporter_email') return 'err_email';
  if (field === 'content_url') return 'err_url';
  if (field === 'jurisdiction') return 'err_jurisdiction';
  return 'err_required';
}

export type ParsedReport = { ok: true; body: ReportBody } | { ok: false; errors: FormErrors };

/** Validates the form with the API's own schema, and says which field each problem belongs to. */
export function parseReportForm(values: FormValues, image: Uint8Array | undefined): ParsedReport {
  const parsed = reportBodySchema.safeParse(reportCandidate(values, image));
  if (parsed.success) return { ok: true, body: parsed.data };
  const errors: FormErrors = { fields: {} };
  for (const issue of parsed.error.issues) {
    const path = issue.path.join('.');
    // The image's own problems (not an image, too large) are found when it is decoded; here only the base64 could fail.
    const field = FIELD_BY_PATH[path] ?? 'content_url';
    if (errors.fields[field]) continue;
    errors.fields[field] = { key: keyFor(field, issue, values[field]) };
  }
  return { ok: false, errors };
}

/** Only the form's own fields, as strings: anything else a client sends is ignored. */
export function pickFormValues(raw: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const name of FIELD_NAMES) {
    const value = raw[name];
    if (typeof value === 'string') values[name] = value.slice(0, 10_000);
  }
  return values;
}
