import type { Kysely } from 'kysely';

import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

/** A handle usable inside or outside a transaction: repositories take this, never a driver. */
export type Db = Kysely<Database>;
