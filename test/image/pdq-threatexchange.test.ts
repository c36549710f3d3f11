import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { checkThreatExchange, DEFAULT_THREATEXCHANGE_DIR } from '../../scripts/check-pdq-threatexchange.js';

// The ThreatExchange photos are not in the repository; this runs only where the shared
// vectors sit next to it (../shared/vectors/pdq/threatexchange).
const present = existsSync(join(DEFAULT_THREATEXCHANGE_DIR, 'EXPECTED.tsv'));

test(
  'ThreatExchange vectors: 49 pixel files exact with dihedrals, originals within 10 bits through sharp',
  present ? {} : { skip: `ThreatExchange vectors not found at ${DEFAULT_THREATEXCHANGE_DIR}` },
  async () => {
    const r = await checkThreatExchange();
    assert.deepEqual(r.failures, []);
    assert.equal(r.files, 49);
    assert.equal(r.pixelExact, 49);
    assert.equal(r.dihedralExact, 49);
  },
);
