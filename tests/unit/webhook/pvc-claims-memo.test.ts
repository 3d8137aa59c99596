// The duplicate-name check memoizes each cached PVC's parsed claim per configuration: the answers
// must be those of parsing afresh, whatever the order of configurations and PVCs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pvcViolations } from '@longhorn-backup-guard/webhook/decide/admission-violations';
import { NS, context, labels, otherPvc, pvc } from './review-fixtures.ts';

const conditions = (violations: readonly { condition: string }[]) => violations.map((violation) => violation.condition);

test('a cached PVC parsed under one configuration is parsed again under another', () => {
  const other = otherPvc('other', { enabled: 'true', name: 'db', retain: '50' });
  const mine = pvc('mine', labels({ enabled: 'true', name: 'db' }));
  const lenient = context({ namespacePvcs: [other] });
  // retain 50 is over a maxRetention of 10: the other PVC is invalid but still claims "db".
  const strict = context({ namespacePvcs: [other], configChanges: { maxRetention: 10 } });
  for (const ctx of [lenient, strict, lenient, strict]) {
    assert.deepEqual(conditions(pvcViolations(NS, 'mine', mine, ctx)), ['duplicate_name']);
  }
  // Another prefix: the other PVC's labels are not backup labels any more, so no clash.
  const prefixed = context({ namespacePvcs: [other], configChanges: { labelPrefix: 'example.com' } });
  const minePrefixed = pvc('mine', { 'example.com/enabled': 'true', 'example.com/name': 'db' });
  assert.deepEqual(conditions(pvcViolations(NS, 'mine', minePrefixed, prefixed)), []);
  assert.deepEqual(conditions(pvcViolations(NS, 'mine', mine, lenient)), ['duplicate_name']);
});
