import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideValidation } from '../../../webhook/src/decisions/decide-validation.ts';
import { P, context, labels, pvc, request } from './review-fixtures.ts';

const optedIn = pvc('data-pvc', labels({ enabled: 'true', name: 'data' }));
const keep = `to keep a final full backup, first label it ${P}/archive=true ${P}/archive-delete-after=YYYY-MM-DD and let the archive complete; or opt it out with ${P}/enabled=false`;

test('DELETE of an opted-in PVC without archive: allowed with a warning saying what happens', () => {
  const response = decideValidation(request('DELETE', null, optedIn), context());
  assert.deepEqual(response, {
    uid: 'uid-1',
    allowed: true,
    warnings: [`PVC "data-pvc" is backed up (job backup-team-data) and has no completed archive: no final full backup is made and its job is removed 24h after the deletion; ${keep}`],
  });
});

test('DELETE is refused only when denyDeleteWithoutArchive is set', () => {
  const response = decideValidation(request('DELETE', null, optedIn), context({ configChanges: { denyDeleteWithoutArchive: true } }));
  assert.equal(response.allowed, false);
  assert.equal(response.status?.message, `PVC "data-pvc" is backed up (job backup-team-data) and has no completed archive, and this cluster refuses to delete such PVCs: ${keep}`);
});

test('DELETE with enabled=true but other problems still warns (no job name to give)', () => {
  const response = decideValidation(request('DELETE', null, pvc('data-pvc', labels({ enabled: 'true' }))), context());
  assert.match(response.warnings?.[0] ?? '', /^PVC "data-pvc" is backed up and has no completed archive/);
});

test('DELETE admitted silently: archived, opted out, unlabelled, other provisioner, excluded namespace, no oldObject', () => {
  const silent = { uid: 'uid-1', allowed: true };
  const deny = context({ configChanges: { denyDeleteWithoutArchive: true } });
  const archived = pvc('data-pvc', labels({ enabled: 'true', name: 'data', archive: 'true', 'archive-delete-after': '2030-01-01' }));
  assert.deepEqual(decideValidation(request('DELETE', null, archived), deny), silent);
  assert.deepEqual(decideValidation(request('DELETE', null, pvc('data-pvc', labels({ enabled: 'false' }))), deny), silent);
  assert.deepEqual(decideValidation(request('DELETE', null, pvc('data-pvc')), deny), silent);
  assert.deepEqual(decideValidation(request('DELETE', null, { ...optedIn, spec: { storageClassName: 'nfs' } }), deny), silent);
  assert.deepEqual(decideValidation(request('DELETE', null, optedIn), context({ configChanges: { denyDeleteWithoutArchive: true, excludedNamespaces: ['team'] } })), silent);
  const noOld = request('DELETE', null, optedIn);
  assert.deepEqual(decideValidation({ ...noOld, oldObject: null }, deny), silent);
});
