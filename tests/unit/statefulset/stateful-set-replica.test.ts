import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  replicaClaimName,
  statefulSetReplicaOf,
  templateSetsName,
} from '@longhorn-backup-guard/shared/statefulset/stateful-set-replica';

const P = 'backup.vluwte.nl';
const set = (name: string, ...templates: string[]) => ({
  metadata: { name },
  spec: {
    volumeClaimTemplates: templates.map((template) => ({
      metadata: { name: template, labels: { [`${P}/name`]: `${template}-x` } },
    })),
  },
});

test('a replica PVC name is recognised with its StatefulSet, template and ordinal', () => {
  const replica = statefulSetReplicaOf('data-queue-1', [set('other', 'data'), set('queue', 'data', 'logs')]);
  assert.deepEqual(replica, {
    statefulSet: 'queue',
    template: 'data',
    ordinal: 1,
    templateLabels: { [`${P}/name`]: 'data-x' },
  });
  assert.equal(templateSetsName(replica, 'data-x', P), true);
  assert.equal(templateSetsName(replica, 'data-queue-1', P), false);
});

test('names that are no replica of the given StatefulSets are not recognised', () => {
  const sets = [set('queue', 'data')];
  for (const name of ['data-queue', 'data-queue-01', 'logs-queue-1', 'data-queue-x', 'queue-1', 'data-other-queue-2'])
    assert.equal(statefulSetReplicaOf(name, sets), null, name);
});

test('property: every name the controller makes is recognised as exactly that replica', () => {
  const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
  fc.assert(
    fc.property(
      label,
      label,
      fc.nat({ max: 100_000 }),
      fc.array(fc.tuple(label, label), { maxLength: 3 }),
      (template, statefulSet, ordinal, others) => {
        const sets = [...others.map(([name, other]) => set(name, other)), set(statefulSet, template)];
        const replica = statefulSetReplicaOf(replicaClaimName(template, statefulSet, ordinal), sets);
        assert.ok(replica !== null);
        assert.equal(
          replicaClaimName(replica.template, replica.statefulSet, replica.ordinal),
          replicaClaimName(template, statefulSet, ordinal),
        );
        assert.equal(replica.ordinal, ordinal);
      },
    ),
  );
});
