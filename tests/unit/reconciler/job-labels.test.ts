// jobLabelPatch was rewritten without intermediate arrays (it runs twice per reconcile): it must
// give the same patch, keys in the same order (the written JSON is the same), as the plain
// formulation kept here as the oracle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { jobLabelPatch, policyGroupKeys } from '@longhorn-backup-guard/reconciler/decide/job-labels';
import {
  LONGHORN_LABEL_ENABLED,
  recurringJobGroupLabelKey,
  recurringJobLabelKey,
} from '@longhorn-backup-guard/shared/longhorn/api';

function plainPatch(
  labels: Readonly<Record<string, string>>,
  enable: readonly string[],
  drop: readonly string[],
  group: string | null,
): Record<string, string | null> | null {
  const enableKeys = [
    ...enable.map(recurringJobLabelKey),
    ...(group === null ? [] : [recurringJobGroupLabelKey(group)]),
  ];
  const dropKeys = [...drop.map(recurringJobLabelKey), ...policyGroupKeys(labels)];
  const patch: Record<string, string | null> = {};
  for (const key of enableKeys) if (labels[key] !== LONGHORN_LABEL_ENABLED) patch[key] = LONGHORN_LABEL_ENABLED;
  for (const key of dropKeys) if (!enableKeys.includes(key) && labels[key] !== undefined) patch[key] = null;
  return Object.keys(patch).length === 0 ? null : patch;
}

const JOBS = ['backup-a-db', 'backup-a-logs', 'backup-b-db'];
const GROUPS = ['policy-gold', 'policy-silver', 'default'];
const labelKey = fc.constantFrom(
  ...JOBS.map(recurringJobLabelKey),
  ...GROUPS.map(recurringJobGroupLabelKey),
  'app',
  'recurring-job.longhorn.io/source',
);

test("jobLabelPatch gives the plain formulation's patch, keys in the same order", () => {
  fc.assert(
    fc.property(
      fc.dictionary(labelKey, fc.constantFrom(LONGHORN_LABEL_ENABLED, 'disabled', '')),
      fc.subarray(JOBS),
      fc.subarray(JOBS),
      fc.option(fc.constantFrom(...GROUPS), { nil: null }),
      (labels, enable, drop, group) => {
        const patch = jobLabelPatch(labels, enable, drop, group);
        const expected = plainPatch(labels, enable, drop, group);
        assert.deepEqual(patch, expected);
        assert.equal(JSON.stringify(patch), JSON.stringify(expected));
      },
    ),
    { numRuns: 500 },
  );
});
