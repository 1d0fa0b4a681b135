// Which cases a decision opens, and the hashes that decide reopening.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Decision, Hit } from '../../../src/model/index.js';
import { caseSubjects } from '../../../src/review/case-subjects.js';
import { customerFingerprint, hitEntryHash } from '../../../src/review/fingerprint.js';

// SDN.CSV: 306,"BANCO NACIONAL DE CUBA","-0- ","CUBA",…
const hit = (over: Partial<Hit> = {}): Hit => ({
  subject: 'customer', list: 'SDN', sourceId: '306', primaryName: 'BANCO NACIONAL DE CUBA', matchedName: 'BANCO NACIONAL DE CUBA', queryName: 'Banco Nacional de Cuba',
  score: 0.97, entityType: 'organization', programs: ['CUBA'], features: { tokens: 1 }, pieces: [], ...over,
});
const decision = (over: Partial<Decision>): Decision => ({
  id: 'c1', outcome: 'review', screeningId: 's1', hits: [], reasons: [], lists: { version: 'v', sources: {} }, policy: 'us-export-2026', decidedAt: '2026-11-01T00:00:00Z', ...over,
});

test('allow opens nothing; suppressed hits and SCREENING_UNAVAILABLE open nothing', () => {
  assert.deepEqual(caseSubjects('c1', decision({ outcome: 'allow', hits: [hit()] })), []);
  assert.deepEqual(caseSubjects('c1', decision({ outcome: 'review', hits: [hit({ suppressed: { caseId: 'x', since: 'y' } })], reasons: [{ code: 'SCREENING_UNAVAILABLE', outcome: 'review', detail: '' }] })), []);
});

test('one subject per entry (best party wins, deny level sticks), one per other reason', () => {
  const subjects = caseSubjects(
    'c1',
    decision({
      outcome: 'deny',
      hits: [hit({ score: 0.9 }), hit({ subject: 'alias:0', score: 0.97 })],
      reasons: [
        { code: 'LIST_MATCH', subject: 'customer', outcome: 'review', detail: '' },
        { code: 'LIST_MATCH', subject: 'alias:0', outcome: 'deny', detail: '' },
        { code: 'TIER3_HEADQUARTERS', subject: 'customer', outcome: 'review', detail: 'CN' },
        { code: 'TRAINING_COMPUTE', outcome: 'allow', detail: 'licensed' },
      ],
    }),
  );
  assert.deepEqual(
    subjects.map((s) => [s.key, s.level, s.score, s.partySubject]),
    [
      ['c1|entry:SDN:306', 'deny', 0.97, 'alias:0'],
      ['c1|reason:TIER3_HEADQUARTERS', 'review', null, 'customer'],
    ],
  );
});

test('fingerprints: identity changes count, the compute request does not', () => {
  const base = { id: 'c1', name: 'Example Compute', country: 'SG', aliases: ['B', 'A'] };
  assert.equal(customerFingerprint(base), customerFingerprint({ ...base, aliases: ['A', 'B'], request: { gpuModel: 'H100-SXM', gpuCount: 8, hours: 1 } }));
  assert.notEqual(customerFingerprint(base), customerFingerprint({ ...base, country: 'HK' }));
  assert.notEqual(hitEntryHash(hit()), hitEntryHash(hit({ programs: ['CUBA', 'SDGT'] })));
  assert.equal(hitEntryHash(hit()), hitEntryHash(hit({ score: 0.5, queryName: 'other' })));
  assert.equal(hitEntryHash({ ...hit(), entryHash: 'abc' } as Hit), 'abc');
});
