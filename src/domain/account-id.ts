import { z } from 'zod';

/**
 * One account id everywhere it enters (screening bodies, consent paths, ledger look-ups): what a
 * body accepts can always be managed over HTTP. The set covers what platforms use as user ids:
 * UUIDs, emails (with `+` tags), `platform:123`; it needs no escaping in a URL path.
 */
export const ACCOUNT_ID_MAX = 128;
export const ACCOUNT_ID_CHARS = 'A-Z a-z 0-9 . _ : @ + -';
const ACCOUNT_ID = /^[A-Za-z0-9._:@+-]+$/;

export const accountIdSchema = z
  .string()
  .min(1, 'is empty: send the account id as your platform stores it')
  .max(ACCOUNT_ID_MAX, `is too long: an account id is at most ${ACCOUNT_ID_MAX} characters of ${ACCOUNT_ID_CHARS}`)
  .regex(ACCOUNT_ID, `must be an account id of 1 to ${ACCOUNT_ID_MAX} characters of ${ACCOUNT_ID_CHARS}`)
  // "." and ".." are path segments a URL client rewrites away; such an id could never be managed.
  .refine((id) => id !== '.' && id !== '..', 'must not be "." or "..": those cannot appear in a URL path');
