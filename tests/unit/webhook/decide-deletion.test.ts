import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideValidation } from '@longhorn-backup-guard/webhook/decide/decide-validation';
import { archiveKeys } from '@longhorn-backup-guard/shared/archive/archive-keys';
import { P, completedArchive, context, labels, managedJob, pvc, request } from './review-fixtures.ts';

const optedIn = pvc('data-pvc', labels({ enabled: 'true', name: 'data' }));
const keep = `to keep a final full backup, first label it ${P}/archive=true ${P}/archive-delete-after=YYYY-MM-DD and let the archive complete; or opt it out with ${P}/enabled=false`;

test('DELETE of an opted-in PVC without archive: allowed with a warning saying what happens', () => {
  const response = decideValidation(request('DELETE', null, optedIn), context());
  assert.deepEqual(response, {
    uid: 'uid-1',
    allowed: true,
    warnings: [
      `PVC "data-pvc" is backed up (job backup-team-data) and has no completed archive: no final full backup is made and its job is removed 24h after the deletion; ${keep}`,
    ],
  });
});

test('DELETE is refused only when denyDeleteWithoutArchive is set', () => {
  const response = decideValidation(
    request('DELETE', null, optedIn),
    context({ configChanges: { denyDeleteWithoutArchive: true } }),
  );
  assert.equal(response.allowed, false);
  assert.equal(
    response.status?.message,
    `PVC "data-pvc" is backed up (job backup-team-data) and has no completed archive, and this cluster refuses to delete such PVCs: ${keep}`,
  );
});

test('DELETE with enabled=true but other problems still warns (no job name to give)', () => {
  const response = decideValidation(request('DELETE', null, pvc('data-pvc', labels({ enabled: 'true' }))), context());
  assert.match(response.warnings?.[0] ?? '', /^PVC "data-pvc" is backed up and has no completed archive/);
});

test('DELETE admitted silently: archived, opted out, unlabelled, other provisioner, excluded namespace, no oldObject', () => {
  const silent = { uid: 'uid-1', allowed: true };
  const deny = context({ configChanges: { denyDeleteWithoutArchive: true } });
  const archived = pvc(
    'data-pvc',
    labels({ enabled: 'true', name: 'data', archive: 'true', 'archive-delete-after': '2030-01-01' }),
    undefined,
    { uid: 'pvc-uid-1' },
  );
  const archivedJob = managedJob('data-pvc', 'data', completedArchive('data-pvc', 'pvc-uid-1'));
  assert.deepEqual(
    decideValidation(request('DELETE', null, archived), { ...deny, namespaceJobs: [archivedJob] }),
    silent,
  );
  assert.deepEqual(
    decideValidation(request('DELETE', null, pvc('data-pvc', labels({ enabled: 'false' }))), deny),
    silent,
  );
  assert.deepEqual(decideValidation(request('DELETE', null, pvc('data-pvc')), deny), silent);
  assert.deepEqual(
    decideValidation(request('DELETE', null, { ...optedIn, spec: { storageClassName: 'nfs' } }), deny),
    silent,
  );
  assert.deepEqual(
    decideValidation(
      request('DELETE', null, optedIn),
      context({ configChanges: { denyDeleteWithoutArchive: true, excludedNamespaces: ['team'] } }),
    ),
    silent,
  );
  const noOld = request('DELETE', null, optedIn);
  assert.deepEqual(decideValidation({ ...noOld, oldObject: null }, deny), silent);
});

// ---- a completed archive, as the reconciler records it on the PVC's job ----

const UID = 'pvc-uid-1';
const withUid = (labelled: ReturnType<typeof pvc>, uid = UID) => ({
  ...labelled,
  metadata: { ...labelled.metadata, uid },
});
const archiving = withUid(
  pvc('data-pvc', labels({ enabled: 'true', name: 'data', archive: 'true', 'archive-delete-after': '2030-01-01' })),
);
const deleteOf = (labelled: unknown) => request('DELETE', null, labelled);
const warnContext = (...jobs: ReturnType<typeof managedJob>[]) => context({ namespaceJobs: jobs });
const denyContext = (...jobs: ReturnType<typeof managedJob>[]) =>
  context({ namespaceJobs: jobs, configChanges: { denyDeleteWithoutArchive: true } });
const silent = { uid: 'uid-1', allowed: true };

test('DELETE with a completed archive of this PVC on its job: allowed silently, also where deletion without one is refused', () => {
  const job = managedJob('data-pvc', 'data', completedArchive('data-pvc', UID));
  assert.deepEqual(decideValidation(deleteOf(archiving), warnContext(job)), silent);
  assert.deepEqual(decideValidation(deleteOf(archiving), denyContext(job)), silent);
  // The archive label is the request, not the proof: the record counts even once the labels moved on.
  assert.deepEqual(decideValidation(deleteOf(withUid(optedIn)), denyContext(job)), silent);
  // A job kept from before a rename of <p>/name (archive jobs are never deleted) still holds it.
  assert.deepEqual(
    decideValidation(
      deleteOf(withUid(pvc('data-pvc', labels({ enabled: 'true', name: 'renamed' })))),
      denyContext(job),
    ),
    silent,
  );
});

test('DELETE with an archive asked but not completed: a warning (or denial) that says to wait for it', () => {
  const running = managedJob('data-pvc', 'data', { ...completedArchive('data-pvc', UID), [archiveKeys(P).backup]: '' });
  const wait = 'wait for the ArchiveReady Event (kubectl describe pvc data-pvc) before deleting it';
  assert.deepEqual(decideValidation(deleteOf(archiving), warnContext(running)), {
    uid: 'uid-1',
    allowed: true,
    warnings: [
      `PVC "data-pvc" is backed up (job backup-team-data) and its archive has not completed yet: the archive can finish only while its Longhorn volume exists (a PersistentVolume with reclaimPolicy Delete takes the volume with the PVC); ${wait}`,
    ],
  });
  const denied = decideValidation(deleteOf(archiving), denyContext(running));
  assert.equal(denied.allowed, false);
  assert.equal(
    denied.status?.message,
    `PVC "data-pvc" is backed up (job backup-team-data) and its archive has not completed yet, and this cluster refuses to delete such PVCs: ${wait}`,
  );
  assert.equal(decideValidation(deleteOf(archiving), denyContext()).allowed, false, 'no job yet');
});

test('DELETE: a record that is not a completed archive of this PVC does not count', () => {
  const keys = archiveKeys(P);
  const complete = completedArchive('data-pvc', UID);
  const notCounted: [string, ReturnType<typeof managedJob>][] = [
    [
      'another PVC of the same name (another uid)',
      managedJob('data-pvc', 'data', completedArchive('data-pvc', 'older-uid')),
    ],
    [
      'withdrawn after completing',
      managedJob('data-pvc', 'data', { ...complete, [keys.withdrawnAt]: '2026-06-01T00:00:00Z' }),
    ],
    [
      'no backup recorded',
      managedJob(
        'data-pvc',
        'data',
        Object.fromEntries(Object.entries(complete).filter(([key]) => key !== keys.backup)),
      ),
    ],
    [
      'a damaged record (no attempt)',
      managedJob(
        'data-pvc',
        'data',
        Object.fromEntries(Object.entries(complete).filter(([key]) => key !== keys.attempt)),
      ),
    ],
    ['a job made for another PVC', managedJob('other-pvc', 'data', complete)],
    [
      'a job made for a PVC of another namespace',
      managedJob('data-pvc', 'data', complete, {
        [`${P}/managed`]: 'true',
        [`${P}/source-namespace`]: 'elsewhere',
        [`${P}/source-pvc`]: 'data-pvc',
      }),
    ],
    [
      'a manual job (not managed)',
      managedJob('data-pvc', 'data', complete, { [`${P}/source-namespace`]: 'team', [`${P}/source-pvc`]: 'data-pvc' }),
    ],
  ];
  for (const [why, job] of notCounted) {
    assert.equal(decideValidation(deleteOf(archiving), denyContext(job)).allowed, false, why);
    assert.match(
      decideValidation(deleteOf(archiving), warnContext(job)).warnings?.[0] ?? '',
      /its archive has not completed yet/,
      why,
    );
  }
  // A PVC without a uid (a review from an old or odd client) cannot be matched to a record.
  assert.equal(
    decideValidation(
      deleteOf(withUid(archiving, '')),
      denyContext(managedJob('data-pvc', 'data', completedArchive('data-pvc', ''))),
    ).allowed,
    false,
  );
});

test('DELETE: one matching job among others of the namespace is enough', () => {
  const jobs = [
    managedJob('other-pvc', 'other', completedArchive('other-pvc', 'uid-other')),
    managedJob('data-pvc', 'old-name', completedArchive('data-pvc', 'older-uid')),
    managedJob('data-pvc', 'data', completedArchive('data-pvc', UID)),
  ];
  assert.deepEqual(decideValidation(deleteOf(archiving), denyContext(...jobs)), silent);
});
