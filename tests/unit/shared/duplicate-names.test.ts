import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import {
  collidingPvcs,
  duplicateNameViolation,
  duplicateNameViolations,
  findNameCollisions,
  nameClaimOf,
  type NameClaim,
} from '@longhorn-backup-guard/shared/intent/duplicate-names';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';

const P = 'backup.vluwte.nl';

function claimOf(pvc: string, labels: Record<string, string>): NameClaim | null {
  return nameClaimOf(parseIntent({ namespace: 'monitoring', name: pvc, labels }, defaultConfig));
}

test('only PVCs that mean to have the job claim its name', () => {
  assert.deepEqual(claimOf('a', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'grafana' }), {
    pvcName: 'a',
    name: 'grafana',
  });
  assert.deepEqual(claimOf('a', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'grafana', [`${P}/interval`]: '5' }), {
    pvcName: 'a',
    name: 'grafana',
  });
  assert.equal(claimOf('a', { [`${P}/enabled`]: 'false', [`${P}/name`]: 'grafana' }), null);
  assert.equal(claimOf('a', { [`${P}/name`]: 'grafana' }), null);
  assert.equal(claimOf('a', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'Grafana' }), null);
});

const claims: NameClaim[] = [
  { pvcName: 'grafana', name: 'grafana' },
  { pvcName: 'grafana-old', name: 'grafana' },
  { pvcName: 'grafana-older', name: 'grafana' },
  { pvcName: 'prometheus', name: 'prometheus' },
  { pvcName: 'grafana-2-owner', name: 'grafana-2' },
];

test('collidingPvcs: the OTHER PVCs with the same name (webhook view)', () => {
  assert.deepEqual(collidingPvcs({ pvcName: 'new', name: 'grafana' }, claims), [
    'grafana',
    'grafana-old',
    'grafana-older',
  ]);
  assert.deepEqual(collidingPvcs({ pvcName: 'grafana', name: 'grafana' }, claims), ['grafana-old', 'grafana-older']);
  assert.deepEqual(collidingPvcs({ pvcName: 'prometheus', name: 'prometheus' }, claims), []);
});

test('findNameCollisions: every PVC of a collision group, with the others', () => {
  assert.deepEqual(
    [...findNameCollisions(claims)],
    [
      ['grafana', ['grafana-old', 'grafana-older']],
      ['grafana-old', ['grafana', 'grafana-older']],
      ['grafana-older', ['grafana', 'grafana-old']],
    ],
  );
});

test('duplicate_name violation names the other PVC and suggests a free name', () => {
  const violation = duplicateNameViolation('monitoring', { pvcName: 'new', name: 'prometheus' }, claims, P);
  assert.deepEqual(violation, {
    condition: 'duplicate_name',
    labelKey: `${P}/name`,
    value: 'prometheus',
    message:
      'backup.vluwte.nl/name="prometheus" is also used by PVC "prometheus" in namespace "monitoring": the job backup-monitoring-prometheus can back up only one PVC, so give each PVC its own name (e.g. backup.vluwte.nl/name=prometheus-2)',
  });
  // grafana-2 is taken, so the suggestion moves on.
  assert.match(
    duplicateNameViolation('monitoring', { pvcName: 'grafana', name: 'grafana' }, claims, P)?.message ?? '',
    /PVCs "grafana-old" and "grafana-older" .*name=grafana-3\)$/,
  );
  assert.equal(duplicateNameViolation('monitoring', { pvcName: 'prometheus', name: 'prometheus' }, claims, P), null);
});

test('a suggested name still fits the 40-character job name', () => {
  const name = 'a'.repeat(28);
  const violation = duplicateNameViolation('team', { pvcName: 'x', name }, [{ pvcName: 'y', name }], P);
  assert.match(violation?.message ?? '', new RegExp(`name=${'a'.repeat(26)}-2\\)$`));
});

test('duplicateNameViolations: all PVCs of a group (reconciler view)', () => {
  const violations = duplicateNameViolations('monitoring', claims, P);
  assert.deepEqual([...violations.keys()], ['grafana', 'grafana-old', 'grafana-older']);
  assert.ok([...violations.values()].every((v) => v.condition === 'duplicate_name'));
});
