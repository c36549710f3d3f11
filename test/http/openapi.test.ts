import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, useStore } from '../helpers/stores.js';

// Walks the document the server serves, so routes added later are held to the same rules.
const factory = STORE_FACTORIES[0]!;
let t: TestApp;
interface Operation {
  description?: string;
  security?: Array<Record<string, string[]>>;
}

describe('the served OpenAPI document', () => {
  const store = useStore(factory);
  before(async () => {
    t = await startTestApp(store());
  });
  after(async () => t?.close());

  test('every operation states its security, and a secured one names its scope in security and description', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
    const problems: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (!Array.isArray(op.security)) {
          problems.push(`${where}: no security (use [] for an open route)`);
          continue;
        }
        for (const requirement of op.security) {
          for (const [scheme, scopes] of Object.entries(requirement)) {
            if (scopes.length === 0) problems.push(`${where}: ${scheme} without a scope`);
            for (const scope of scopes) if (!op.description?.includes(`\`${scope}\``)) problems.push(`${where}: description does not name scope ${scope}`);
          }
        }
        if (op.security.length === 0 && !op.description) problems.push(`${where}: an open route should say so in its description`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
