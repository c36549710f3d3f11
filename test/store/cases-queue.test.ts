import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { type CaseRow, listCases } from '../../src/store/repositories/cases.js';
import { STORE_FACTORIES, testOn, useStore } from '../helpers/stores.js';

const AT = '2026-12-01T00:00:00.000Z';

function caseRow(id: string, deadline: string, state: string): CaseRow {
  return {
    id,
    state,
    jurisdiction: 'US',
    category: 'ncii',
    content_id: id,
    content_url: null,
    image_pdq: null,
    image_pdq_quality: null,
    image_sha256: null,
    rule_id: 'default',
    clock_version: 'test',
    opened_at: AT,
    deadline,
    assignee: null,
    automated: 0,
    fired_alerts: '[]',
    updated_at: AT,
  };
}

for (const factory of STORE_FACTORIES) {
  describe(`the case queue keyset on ${factory.name}`, () => {
    const store = useStore(factory);
    const test = testOn(factory);

    // Deadlines shared by several cases: the page boundary falls inside a tie, where only the id orders them.
    const rows = [
      caseRow('case_c', '2026-12-02T10:00:00.000Z', 'open'),
      caseRow('case_a', '2026-12-02T10:00:00.000Z', 'closed'),
      caseRow('case_e', '2026-12-02T09:00:00.000Z', 'open'),
      caseRow('case_b', '2026-12-02T10:00:00.000Z', 'open'),
      caseRow('case_d', '2026-12-02T11:00:00.000Z', 'open'),
      caseRow('case_f', '2026-12-02T11:00:00.000Z', 'closed'),
      caseRow('case_g', '2026-12-02T08:00:00.000Z', 'open'),
    ];
    const ordered = [...rows].sort((x, y) => (x.deadline === y.deadline ? (x.id < y.id ? -1 : 1) : x.deadline < y.deadline ? -1 : 1)).map((r) => r.id);

    async function walk(filter: Parameters<typeof listCases>[1], limit: number): Promise<string[]> {
      const seen: string[] = [];
      let after: { deadline: string; id: string } | undefined;
      for (;;) {
        const page = await listCases(store().store.db, filter, after, limit);
        seen.push(...page.map((r) => r.id));
        const last = page[page.length - 1];
        if (page.length < limit || !last) return seen;
        after = { deadline: last.deadline, id: last.id };
      }
    }

    test('pages of two walk the queue by (deadline, id), through ties, each case once', async () => {
      for (const row of rows) await store().store.db.insertInto('cases').values(row).execute();
      assert.deepEqual(ordered, ['case_g', 'case_e', 'case_a', 'case_b', 'case_c', 'case_d', 'case_f']);
      assert.deepEqual(await walk({}, 2), ordered);
      assert.deepEqual(await walk({}, 1), ordered);
    });

    test('a filtered walk keeps the same order and only its cases; a cursor past the last case is an empty page', async () => {
      assert.deepEqual(await walk({ state: 'open' }, 2), ['case_g', 'case_e', 'case_b', 'case_c', 'case_d']);
      assert.deepEqual(await walk({ state: 'open', deadlineBy: '2026-12-02T10:00:00.000Z' }, 1), ['case_g', 'case_e', 'case_b', 'case_c']);
      assert.deepEqual(await listCases(store().store.db, {}, { deadline: '2026-12-02T11:00:00.000Z', id: 'case_f' }, 5), []);
      const afterTie = await listCases(store().store.db, {}, { deadline: '2026-12-02T10:00:00.000Z', id: 'case_a' }, 2);
      assert.deepEqual(
        afterTie.map((r) => r.id),
        ['case_b', 'case_c'],
      );
    });
  });
}
