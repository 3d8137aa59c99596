// DELETE of a backed-up PVC behind the real apiserver: the webhook reads the completed archive the
// reconciler records on the PVC's RecurringJob (the test plays the reconciler and writes the
// annotations with its patches). Completed for this PVC's uid: no warning; otherwise a warning, or
// a denial with denyDeleteWithoutArchive. The job cache follows a change of longhornNamespace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { archiveKeys } from '@longhorn-backup-guard/shared/archive/archive-keys';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { useTestCluster } from '../harness/test-cluster.ts';
import { freePort } from '../harness/free-port.ts';
import { ArchiveScene } from './webhook-archive-support.ts';
import {
  P,
  createStorageClasses,
  deleteConfigurations,
  mutableConfig,
  registerConfigurations,
  registrationFor,
  runId,
  startTestWebhook,
  waitUntilWebhooksCalled,
  type RunningWebhook,
} from './webhook-support.ts';

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();
const registration = registrationFor(runId());
const classes = await createStorageClasses(kc, registration.id);
const keys = archiveKeys(P);
let webhook: RunningWebhook | undefined;
let scene: ArchiveScene;
let config: ReturnType<typeof mutableConfig>;

before(async () => {
  const longhornNamespace = await cluster.createNamespace('lbg-wh-longhorn');
  const namespace = await cluster.createNamespace('lbg-wh-arch', registration.namespaceLabels);
  scene = new ArchiveScene(cluster, kc, { namespace, storageClass: classes.longhorn, longhornNamespace });
  const port = await freePort();
  await registerConfigurations(kc, registration, port, 'Fail');
  config = mutableConfig({ ...defaultConfig, longhornNamespace });
  webhook = await startTestWebhook({
    cluster,
    registration,
    certificateNamespace: await cluster.createNamespace('lbg-wh-certs'),
    port,
    config,
  });
  await waitUntilWebhooksCalled(kc, namespace, classes.longhorn);
});

after(async () => {
  await deleteConfigurations(kc, registration);
  await webhook?.handle.close();
  await classes.remove();
});

test('a PVC whose job records its completed archive is deleted without a warning', async () => {
  const uid = await scene.createPvc('archived');
  await scene.createJob('archived', config.current());
  await scene.recordArchive('archived', uid);
  await scene.waitForDeleteVerdict('archived', 'silent');
  await scene.deletesSilently('archived');
});

test('a PVC without a completed archive gets the warning: none asked, or one still running', async () => {
  await scene.createPvc('plain', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'plain' });
  const plain = await scene.deletePvc('plain');
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(
    plain.stderr,
    `Warning: PVC "plain" is backed up (job ${scene.jobName('plain')}) and has no completed archive: no final full backup is made and its job is removed 24h after the deletion; to keep a final full backup, first label it ${P}/archive=true ${P}/archive-delete-after=YYYY-MM-DD and let the archive complete; or opt it out with ${P}/enabled=false\n`,
  );

  const uid = await scene.createPvc('running');
  await scene.createJob('running', config.current());
  await scene.recordArchive('running', uid, { completed: false });
  const running = await scene.deletePvc('running');
  assert.equal(running.code, 0, running.stderr);
  assert.equal(
    running.stderr,
    `Warning: PVC "running" is backed up (job ${scene.jobName('running')}) and its archive has not completed yet: the archive can finish only while its Longhorn volume exists (a PersistentVolume with reclaimPolicy Delete takes the volume with the PVC); wait for the ArchiveReady Event (kubectl describe pvc running) before deleting it\n`,
  );
});

test('with denyDeleteWithoutArchive the delete is refused until the archive of this very PVC is recorded', async () => {
  config.set({ ...config.current(), denyDeleteWithoutArchive: true });
  const uid = await scene.createPvc('guarded');
  await scene.waitForDeleteVerdict('guarded', 'denied');
  const refused = await scene.deletePvc('guarded');
  assert.notEqual(refused.code, 0);
  assert.equal(
    refused.stderr,
    `Error from server (Forbidden): admission webhook "${registration.validatingWebhookName}" denied the request: PVC "guarded" is backed up (job ${scene.jobName('guarded')}) and its archive has not completed yet, and this cluster refuses to delete such PVCs: wait for the ArchiveReady Event (kubectl describe pvc guarded) before deleting it\n`,
  );
  assert.equal((await scene.deletePvc('guarded', true)).code, 1, 'still there, still refused');

  // The archive completes: the delete passes, silently.
  await scene.createJob('guarded', config.current());
  await scene.recordArchive('guarded', uid);
  await scene.waitForDeleteVerdict('guarded', 'silent');
  // A record of another PVC that had this name (another uid) is not this one's archive.
  await scene.annotateJob('guarded', { [keys.pvcUid]: 'uid-of-an-earlier-pvc' });
  await scene.waitForDeleteVerdict('guarded', 'denied');
  // Nor is a withdrawn one.
  await scene.annotateJob('guarded', { [keys.pvcUid]: uid, [keys.withdrawnAt]: '2026-06-01T11:00:00Z' });
  await scene.waitForDeleteVerdict('guarded', 'denied');
  await scene.annotateJob('guarded', { [keys.withdrawnAt]: null });
  await scene.waitForDeleteVerdict('guarded', 'silent');
  await scene.deletesSilently('guarded');
});

test('a change of longhornNamespace moves the job cache: jobs are read from the new namespace', async () => {
  const uid = await scene.createPvc('moved');
  const otherLonghornNamespace = await cluster.createNamespace('lbg-wh-longhorn2');
  await scene.createJob('moved', config.current(), otherLonghornNamespace);
  await scene.recordArchive('moved', uid, { longhornNamespace: otherLonghornNamespace });
  await scene.waitForDeleteVerdict('moved', 'denied');
  config.set({ ...config.current(), longhornNamespace: otherLonghornNamespace });
  await scene.waitForDeleteVerdict('moved', 'silent');
  assert.equal(webhook?.handle.readiness().ready, true);
  await scene.deletesSilently('moved');
});
