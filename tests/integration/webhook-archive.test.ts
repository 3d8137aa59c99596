// DELETE of a backed-up PVC behind the real apiserver: the webhook reads the completed archive the
// reconciler records on the PVC's RecurringJob (the test plays the reconciler and writes the
// annotations). Completed for this PVC's uid: no warning; otherwise a warning, or a denial with
// denyDeleteWithoutArchive. The job cache follows a change of longhornNamespace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { archiveKeys } from '@longhorn-backup-guard/shared/archive/archive-keys';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { mergePatch } from '@longhorn-backup-guard/shared/kube/patch-content-types';
import { LONGHORN_GROUP, LONGHORN_PLURALS, LONGHORN_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import { jobNameFor } from '@longhorn-backup-guard/shared/recurring-job/job-name';
import { ownershipLabels } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import { useTestCluster } from '../harness/test-cluster.ts';
import { freePort } from '../harness/free-port.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  P, createStorageClasses, deleteConfigurations, mutableConfig, pvcYaml, registerConfigurations, registrationFor, runId, startTestWebhook, waitUntilWebhooksCalled,
  type RunningWebhook,
} from './webhook-support.ts';
import { archivePatches } from '../unit/webhook/review-fixtures.ts';

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const registration = registrationFor(runId());
const classes = await createStorageClasses(kc, registration.id);
let webhook: RunningWebhook | undefined;
let ns = '';
let longhornNs = '';
let config: ReturnType<typeof mutableConfig>;

before(async () => {
  longhornNs = await cluster.createNamespace('lbg-wh-longhorn');
  ns = await cluster.createNamespace('lbg-wh-arch', registration.namespaceLabels);
  const port = await freePort();
  await registerConfigurations(kc, registration, port, 'Fail');
  config = mutableConfig({ ...defaultConfig, longhornNamespace: longhornNs });
  webhook = await startTestWebhook({ cluster, registration, certificateNamespace: await cluster.createNamespace('lbg-wh-certs'), port, config });
  await waitUntilWebhooksCalled(kc, ns, classes.longhorn);
});

after(async () => {
  await deleteConfigurations(kc, registration);
  await webhook?.handle.close();
  await classes.remove();
});

const archiveLabels = (name: string) => ({ [`${P}/enabled`]: 'true', [`${P}/name`]: name, [`${P}/archive`]: 'true', [`${P}/archive-delete-after`]: '2030-12-31' });

/** An opted-in PVC with an archive asked for; returns its uid. */
async function createPvc(name: string, labels: Record<string, string> = archiveLabels(name)): Promise<string> {
  const applied = await cluster.kubectl(['apply', '-f', '-'], { input: pvcYaml(ns, name, labels, classes.longhorn) });
  assert.equal(applied.code, 0, applied.stderr);
  return (await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name })).metadata?.uid ?? '';
}

const jobApi = (namespace: string) => ({ group: LONGHORN_GROUP, version: LONGHORN_VERSION, namespace, plural: LONGHORN_PLURALS.recurringJob });

/** The PVC's managed job, as the reconciler creates it (archive labels copied from the PVC). */
async function createJob(pvcName: string, namespace = longhornNs): Promise<void> {
  const name = jobNameFor(ns, pvcName);
  const labels = { ...ownershipLabels(ns, pvcName, config.current()), [`${P}/archive`]: 'true', [`${P}/archive-delete-after`]: '2030-12-31' };
  await custom.createNamespacedCustomObject({ ...jobApi(namespace), body: {
    apiVersion: `${LONGHORN_GROUP}/${LONGHORN_VERSION}`,
    kind: 'RecurringJob',
    metadata: { name, labels },
    spec: { name, task: 'backup', cron: '30 0,4,8,12,16,20 * * *', retain: 8, concurrency: 1, groups: [], labels: {}, parameters: { 'full-backup-interval': '4' } },
  } });
}

async function annotateJob(pvcName: string, annotations: Record<string, string | null>, namespace = longhornNs): Promise<void> {
  await custom.patchNamespacedCustomObject({ ...jobApi(namespace), name: jobNameFor(ns, pvcName), body: { metadata: { annotations } } }, mergePatch);
}

/** The reconciler's merge patches of the job for the archive of `pvcUid`: started, and completed unless `completed` is false. */
async function recordArchive(pvcName: string, pvcUid: string, { completed = true, namespace = longhornNs } = {}): Promise<void> {
  for (const patch of archivePatches(pvcName, pvcUid, jobNameFor(ns, pvcName), completed)) await annotateJob(pvcName, patch.metadata.annotations, namespace);
}

const deletePvc = (name: string, dryRun = false) => cluster.kubectl(['delete', 'pvc', name, '-n', ns, '--wait=false', ...(dryRun ? ['--dry-run=server'] : [])]);

/** The webhook reads a cache, so a job change shows after a moment: a server-side dry run (admission included) tells when. */
async function waitForDeleteVerdict(name: string, verdict: 'silent' | 'denied'): Promise<void> {
  await waitFor(`a dry-run delete of ${name} to be ${verdict}`, async () => {
    const result = await deletePvc(name, true);
    const silent = result.code === 0 && result.stderr === '';
    const denied = result.code !== 0 && result.stderr.includes('denied the request');
    return (verdict === 'silent' ? silent : denied) ? true : undefined;
  }, 20_000, 100);
}

/** kubectl delete passes and prints nothing, and the PVC is on its way out. */
async function deletesSilently(name: string): Promise<void> {
  const result = await deletePvc(name);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  await waitFor(`${name} marked for deletion`, async () => {
    const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name }).catch(() => undefined);
    return pvc === undefined || pvc.metadata?.deletionTimestamp !== undefined ? true : undefined;
  });
}

test('a PVC whose job records its completed archive is deleted without a warning', async () => {
  const uid = await createPvc('archived');
  await createJob('archived');
  await recordArchive('archived', uid);
  await waitForDeleteVerdict('archived', 'silent');
  await deletesSilently('archived');
});

test('a PVC without a completed archive gets the warning: none asked, or one still running', async () => {
  await createPvc('plain', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'plain' });
  const plain = await deletePvc('plain');
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stderr, `Warning: PVC "plain" is backed up (job ${jobNameFor(ns, 'plain')}) and has no completed archive: no final full backup is made and its job is removed 24h after the deletion; to keep a final full backup, first label it ${P}/archive=true ${P}/archive-delete-after=YYYY-MM-DD and let the archive complete; or opt it out with ${P}/enabled=false\n`);

  const uid = await createPvc('running');
  await createJob('running');
  await recordArchive('running', uid, { completed: false });
  const running = await deletePvc('running');
  assert.equal(running.code, 0, running.stderr);
  assert.equal(running.stderr, `Warning: PVC "running" is backed up (job ${jobNameFor(ns, 'running')}) and its archive has not completed yet: the archive can finish only while its Longhorn volume exists (a PersistentVolume with reclaimPolicy Delete takes the volume with the PVC); wait for the ArchiveReady Event (kubectl describe pvc running) before deleting it\n`);
});

test('with denyDeleteWithoutArchive the delete is refused until the archive of this very PVC is recorded', async () => {
  config.set({ ...config.current(), denyDeleteWithoutArchive: true });
  const uid = await createPvc('guarded');
  await waitForDeleteVerdict('guarded', 'denied');
  const refused = await deletePvc('guarded');
  assert.notEqual(refused.code, 0);
  assert.equal(refused.stderr, `Error from server (Forbidden): admission webhook "${registration.validatingWebhookName}" denied the request: PVC "guarded" is backed up (job ${jobNameFor(ns, 'guarded')}) and its archive has not completed yet, and this cluster refuses to delete such PVCs: wait for the ArchiveReady Event (kubectl describe pvc guarded) before deleting it\n`);
  assert.ok(await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'guarded' }));

  // The archive completes: the delete passes, silently.
  await createJob('guarded');
  await recordArchive('guarded', uid);
  await waitForDeleteVerdict('guarded', 'silent');
  // A record of another PVC that had this name (another uid) is not this one's archive.
  await annotateJob('guarded', { [archiveKeys(P).pvcUid]: 'uid-of-an-earlier-pvc' });
  await waitForDeleteVerdict('guarded', 'denied');
  // Nor is a withdrawn one.
  await annotateJob('guarded', { [archiveKeys(P).pvcUid]: uid, [archiveKeys(P).withdrawnAt]: '2026-06-01T11:00:00Z' });
  await waitForDeleteVerdict('guarded', 'denied');
  await annotateJob('guarded', { [archiveKeys(P).withdrawnAt]: null });
  await waitForDeleteVerdict('guarded', 'silent');
  await deletesSilently('guarded');
});

test('a change of longhornNamespace moves the job cache: jobs are read from the new namespace', async () => {
  const uid = await createPvc('moved');
  const otherLonghornNs = await cluster.createNamespace('lbg-wh-longhorn2');
  await createJob('moved', otherLonghornNs);
  await recordArchive('moved', uid, { namespace: otherLonghornNs });
  await waitForDeleteVerdict('moved', 'denied');
  config.set({ ...config.current(), longhornNamespace: otherLonghornNs });
  await waitForDeleteVerdict('moved', 'silent');
  assert.equal(webhook?.handle.readiness().ready, true);
  await deletesSilently('moved');
});
