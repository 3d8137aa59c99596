import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1StorageClass } from '@kubernetes/client-node';
import {
  defaultStorageClass,
  isDefaultStorageClass,
  storageBackingOf,
  storageClassOf,
  type StorageClassLike,
} from '@longhorn-backup-guard/shared/storage/storage-class-of';

const LONGHORN = 'driver.longhorn.io';
const GA = 'storageclass.kubernetes.io/is-default-class';
const BETA = 'storageclass.beta.kubernetes.io/is-default-class';

function storageClass(
  name: string,
  provisioner: string,
  annotations: Record<string, string> = {},
  creationTimestamp: unknown = '2026-01-01T00:00:00Z',
): StorageClassLike {
  return { metadata: { name, annotations, creationTimestamp }, provisioner };
}

const longhorn = storageClass('longhorn', LONGHORN);
const nfs = storageClass('nfs', 'nfs.csi.k8s.io');
const names = (found: StorageClassLike | undefined) => found?.metadata?.name;

test('a default class is marked by the GA or the beta annotation, with the value "true" only', () => {
  assert.equal(isDefaultStorageClass(storageClass('a', LONGHORN, { [GA]: 'true' })), true);
  assert.equal(isDefaultStorageClass(storageClass('a', LONGHORN, { [BETA]: 'true' })), true);
  for (const value of ['false', 'True', '', 'yes'])
    assert.equal(isDefaultStorageClass(storageClass('a', LONGHORN, { [GA]: value })), false, value);
  assert.equal(isDefaultStorageClass({ metadata: { name: 'a', annotations: null } }), false);
  assert.equal(isDefaultStorageClass({}), false);
});

test('with several defaults the newest wins; at the same time the first name in byte order', () => {
  const older = storageClass('older', LONGHORN, { [GA]: 'true' }, '2026-01-01T00:00:00Z');
  const newer = storageClass('newer', 'nfs.csi.k8s.io', { [BETA]: 'true' }, '2026-03-01T00:00:00Z');
  assert.equal(names(defaultStorageClass([older, newer, nfs])), 'newer');
  assert.equal(names(defaultStorageClass([newer, older])), 'newer');
  const twinB = storageClass('b', LONGHORN, { [GA]: 'true' }, '2026-05-01T00:00:00Z');
  const twinA = storageClass('a', LONGHORN, { [GA]: 'true' }, '2026-05-01T00:00:00Z');
  const twinUpper = storageClass('B', LONGHORN, { [GA]: 'true' }, '2026-05-01T00:00:00Z');
  assert.equal(names(defaultStorageClass([twinB, twinA])), 'a');
  assert.equal(names(defaultStorageClass([twinA, twinB, twinUpper])), 'B', 'byte order, as Go compares strings');
  assert.equal(defaultStorageClass([longhorn, nfs]), undefined);
  assert.equal(defaultStorageClass([]), undefined);
});

test('creationTimestamp as the typed client gives it (a Date) or as raw JSON (a string); a missing or bad one counts as oldest', () => {
  const typed: V1StorageClass = {
    metadata: { name: 'typed', annotations: { [GA]: 'true' }, creationTimestamp: new Date('2026-04-01T00:00:00Z') },
    provisioner: LONGHORN,
  };
  const raw = storageClass('raw', LONGHORN, { [GA]: 'true' }, '2026-02-01T00:00:00Z');
  assert.equal(defaultStorageClass([raw, typed])?.metadata?.name, 'typed');
  const undated: StorageClassLike = {
    metadata: { name: 'undated', annotations: { [GA]: 'true' } },
    provisioner: LONGHORN,
  };
  const garbled = storageClass('garbled', LONGHORN, { [GA]: 'true' }, 'not a time');
  assert.equal(names(defaultStorageClass([undated, raw, garbled])), 'raw');
  assert.equal(names(defaultStorageClass([undated, garbled])), 'garbled');
});

test('the class of a PVC: the one it names, the default when it names none, none for ""', () => {
  const defaultNfs = storageClass('nfs', 'nfs.csi.k8s.io', { [GA]: 'true' });
  const classes = [longhorn, defaultNfs];
  assert.equal(names(storageClassOf({ spec: { storageClassName: 'longhorn' } }, classes)), 'longhorn');
  assert.equal(names(storageClassOf({ spec: { storageClassName: null } }, classes)), 'nfs');
  assert.equal(names(storageClassOf({ spec: {} }, classes)), 'nfs');
  assert.equal(names(storageClassOf({}, classes)), 'nfs');
  assert.equal(storageClassOf({ spec: { storageClassName: '' } }, classes), undefined);
  assert.equal(storageClassOf({ spec: { storageClassName: 'gone' } }, classes), undefined);
  assert.equal(storageClassOf({ spec: {} }, [longhorn]), undefined, 'no default class');
});

test('backing: Longhorn when the class has the configured provisioner, other with its provisioner, unknown without a class', () => {
  const classes = [longhorn, nfs, storageClass('custom', 'custom.longhorn.example')];
  assert.deepEqual(storageBackingOf({ spec: { storageClassName: 'longhorn' } }, classes, LONGHORN), {
    kind: 'longhorn',
    storageClass: 'longhorn',
  });
  assert.deepEqual(storageBackingOf({ spec: { storageClassName: 'nfs' } }, classes, LONGHORN), {
    kind: 'other',
    storageClass: 'nfs',
    provisioner: 'nfs.csi.k8s.io',
  });
  assert.deepEqual(storageBackingOf({ spec: { storageClassName: 'custom' } }, classes, 'custom.longhorn.example'), {
    kind: 'longhorn',
    storageClass: 'custom',
  });
  assert.deepEqual(storageBackingOf({ spec: { storageClassName: 'longhorn' } }, classes, 'custom.longhorn.example'), {
    kind: 'other',
    storageClass: 'longhorn',
    provisioner: LONGHORN,
  });
  assert.deepEqual(storageBackingOf({ spec: { storageClassName: '' } }, classes, LONGHORN), { kind: 'unknown' });
  assert.deepEqual(storageBackingOf({ spec: { storageClassName: 'gone' } }, classes, LONGHORN), { kind: 'unknown' });
  assert.deepEqual(storageBackingOf({ spec: {} }, classes, LONGHORN), { kind: 'unknown' });
  assert.deepEqual(
    storageBackingOf({ spec: { storageClassName: 'bare' } }, [{ metadata: { name: 'bare' } }], LONGHORN),
    { kind: 'other', storageClass: 'bare', provisioner: '' },
  );
});
