import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isPerisaiError } from '../../src/domain/errors.js';
import {
  buildStatement,
  EEA_COUNTRY_CODES,
  sourceOfReporters,
  type StatementFacts,
  statementSchema,
  validateStatement,
} from '../../src/domain/statement-of-reasons.js';

const base: StatementFacts = {
  id: 'sor_0123456789abcdef0123456789abcdef',
  restriction: { kind: 'content_removed' },
  category: 'sexual_deepfake',
  source: 'notice',
  automatedDetection: false,
  automatedDecision: 'none',
  synthetic: true,
  contentAt: '2026-11-30T10:00:00.000Z',
  appliedAt: '2026-12-01T09:30:00.000Z',
  jurisdiction: 'DE',
};

describe('statements of reasons', () => {
  it('a reviewer removing a reported deepfake: illegal content, cyber violence, synthetic media, not automated', () => {
    const s = buildStatement(base);
    assert.deepEqual(s.decision_visibility, ['DECISION_VISIBILITY_CONTENT_REMOVED']);
    assert.equal(s.decision_ground, 'DECISION_GROUND_ILLEGAL_CONTENT');
    assert.ok(s.illegal_content_legal_ground && s.illegal_content_explanation);
    assert.equal(s.incompatible_content_ground, undefined);
    assert.equal(s.category, 'STATEMENT_CATEGORY_CYBER_VIOLENCE');
    assert.deepEqual(s.category_specification, ['KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE']);
    assert.deepEqual(s.content_type, ['CONTENT_TYPE_IMAGE', 'CONTENT_TYPE_SYNTHETIC_MEDIA']);
    assert.equal(s.source_type, 'SOURCE_ARTICLE_16');
    assert.equal(s.automated_detection, 'No');
    assert.equal(s.automated_decision, 'AUTOMATED_DECISION_NOT_AUTOMATED');
    assert.equal(s.content_date, '2026-11-30');
    assert.equal(s.application_date, '2026-12-01');
    assert.equal(s.puid, base.id);
    assert.deepEqual(s.territorial_scope, [...EEA_COUNTRY_CODES]);
    assert.equal(s.territorial_scope.length, 30);
  });

  it('child abuse material is protection of minors, with the deepfake keyword when generated', () => {
    const s = buildStatement({ ...base, category: 'csam' });
    assert.equal(s.category, 'STATEMENT_CATEGORY_PROTECTION_OF_MINORS');
    assert.deepEqual(s.category_specification, ['KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL', 'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE']);
    assert.deepEqual(buildStatement({ ...base, category: 'csam', synthetic: false }).category_specification, ['KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL']);
  });

  it('a refused generation is the terms of service at work, fully automated, on own initiative', () => {
    const s = buildStatement({
      ...base,
      restriction: { kind: 'generation_refused' },
      category: 'csam',
      source: 'own_initiative',
      automatedDetection: true,
      automatedDecision: 'fully',
      policy: { version: 'perisai-default@abc', rules: ['minor-sexual'] },
    });
    assert.equal(s.decision_ground, 'DECISION_GROUND_INCOMPATIBLE_CONTENT');
    assert.match(s.incompatible_content_ground!, /perisai-default@abc.*minor-sexual/);
    assert.equal(s.incompatible_content_illegal, 'Yes');
    assert.equal(s.illegal_content_legal_ground, undefined);
    assert.equal(s.source_type, 'SOURCE_VOLUNTARY');
    assert.equal(s.automated_detection, 'Yes');
    assert.equal(s.automated_decision, 'AUTOMATED_DECISION_FULLY');
  });

  it('an account suspension names its end date and no content visibility', () => {
    const s = buildStatement({ ...base, restriction: { kind: 'account_suspended', until: '2027-01-01T00:00:00.000Z' }, category: 'ncii' });
    assert.equal(s.decision_account, 'DECISION_ACCOUNT_SUSPENDED');
    assert.equal(s.end_date_account_restriction, '2027-01-01');
    assert.equal(s.decision_visibility, undefined);
    assert.equal(s.decision_ground, 'DECISION_GROUND_INCOMPATIBLE_CONTENT');
  });

  it('never uses the against-women values: Perisai does not know or infer the gender of the person depicted', () => {
    for (const category of ['ncii', 'csam', 'sexual_deepfake', 'nudity', 'other'] as const) {
      const json = JSON.stringify(buildStatement({ ...base, category }));
      assert.doesNotMatch(json, /AGAINST_WOMEN|AGAINST_GIRLS/);
    }
  });

  it('the reporter decides the source: trusted flagger over authority over notice; none is own initiative', () => {
    assert.equal(sourceOfReporters(['user', 'trusted_flagger']), 'trusted_flagger');
    assert.equal(sourceOfReporters(['user', 'regulator']), 'authority');
    assert.equal(sourceOfReporters(['depicted_person']), 'notice');
    assert.equal(sourceOfReporters([]), 'own_initiative');
  });

  it('refuses a bad enum value with a message that names the field', () => {
    const good = buildStatement(base);
    assert.throws(
      () => validateStatement({ ...good, category: 'STATEMENT_CATEGORY_DEEPFAKES' }),
      (error: unknown) => isPerisaiError(error) && error.code === 'statement_invalid' && /category/.test(error.message),
    );
    assert.throws(() => validateStatement({ ...good, content_type: ['CONTENT_TYPE_PICTURE'] }), /content_type/);
    assert.throws(() => validateStatement({ ...good, territorial_scope: ['US'] }), /territorial_scope.*EEA/);
    assert.throws(() => validateStatement({ ...good, automated_detection: 'yes' }), /automated_detection/);
  });

  it('enforces the conditional rules of the database', () => {
    const good = buildStatement(base);
    const { decision_visibility: _v, ...noRestriction } = good;
    assert.throws(() => validateStatement(noRestriction), /decision_visibility is required/);
    const { illegal_content_explanation: _e, ...noExplanation } = good;
    assert.throws(() => validateStatement(noExplanation), /illegal_content_explanation is required/);
    assert.throws(() => validateStatement({ ...good, incompatible_content_ground: 'x' }), /incompatible_content_ground belongs only/);
    assert.throws(() => validateStatement({ ...good, puid: 'has space' }), /puid/);
    assert.throws(() => validateStatement({ ...good, content_date: '2026-02-30' }), /content_date/);
    assert.throws(
      () => validateStatement({ ...good, decision_account: 'DECISION_ACCOUNT_SUSPENDED', end_date_account_restriction: '2026-11-01' }),
      /end_date_account_restriction/,
    );
    assert.throws(() => validateStatement({ ...good, extra: 1 }), /extra|Unrecognized/i);
    assert.equal(statementSchema.safeParse(good).success, true);
  });
});
