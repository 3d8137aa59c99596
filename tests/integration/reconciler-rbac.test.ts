// The reconciler with nothing but the shipped RBAC (manifests/core/reconciler-rbac.yaml, moved to
// this test's namespaces): every write of the label-driven path is allowed, so a missing verb
// (the seed's bug 4 was one) fails here rather than in a cluster.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { P, ReconcilerWorld, enabledLabels, waitForSeries } from './reconciler-fixture.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
const jobOf = (name: string) => `backup-${app}-${name}`;
const SERVICE_ACCOUNT = 'longhorn-backup-guard-reconciler';

interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  roleRef?: { name: string };
  subjects?: { namespace?: string }[];
  rules?: { resourceNames?: string[] }[];
}

/** The shipped RBAC with its namespaces replaced by this test's and unique cluster-wide names. */
function shippedRbac(): { yaml: string; clusterNames: string[] } {
  const text = readFileSync(new URL('../../manifests/core/reconciler-rbac.yaml', import.meta.url), 'utf8');
  const unique = `lbg-reconciler-${randomBytes(4).toString('hex')}`;
  const namespaceOf = (namespace: string | undefined) => (namespace === 'longhorn-system' ? world.longhornNs : world.guardNs);
  const objects = parseAllDocuments(text).map((doc) => doc.toJS() as RbacObject);
  for (const object of objects) {
    if (object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding') object.metadata.name = unique;
    else object.metadata.namespace = namespaceOf(object.metadata.namespace);
    if (object.kind === 'ClusterRoleBinding' && object.roleRef) object.roleRef.name = unique;
    for (const subject of object.subjects ?? []) subject.namespace = world.guardNs;
    for (const rule of object.rules ?? []) if (rule.resourceNames) rule.resourceNames = [world.leaseName];
  }
  return { yaml: objects.map((object) => stringify(object)).join('---\n'), clusterNames: [unique] };
}

const rbac = shippedRbac();
const applied = await cluster.kubectl(['apply', '-f', '-'], { input: rbac.yaml });
assert.equal(applied.code, 0, applied.stderr);
after(async () => {
  await world.stopAll();
  for (const name of rbac.clusterNames) {
    await cluster.kubectl(['delete', 'clusterrolebinding', name, '--ignore-not-found']);
    await cluster.kubectl(['delete', 'clusterrole', name, '--ignore-not-found']);
  }
});

test('the shipped RBAC is enough for the whole label-driven path', async () => {
  const asReconciler = cluster.impersonatingKubeConfig(`system:serviceaccount:${world.guardNs}:${SERVICE_ACCOUNT}`);
  // The identity really is confined: it may not delete a Volume.
  await world.createVolume('vol-probe');
  await assert.rejects(
    asReconciler.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ group: 'longhorn.io', version: 'v1beta2', namespace: world.longhornNs, plural: 'volumes', name: 'vol-probe' }),
    (error: unknown) => error instanceof ApiException && error.code === 403,
  );
  const handle = await world.start('rbac-replica', { kubeConfig: asReconciler });
  await waitFor('leading', async () => (handle.isLeader() ? true : undefined), 15_000);

  // Create a job, label the volume, label a source-of-truth PVC, record Events.
  await world.createPvc(app, 'data', { ...enabledLabels('data'), 'recurring-job.longhorn.io/source': 'enabled' });
  await world.bind(app, 'data', 'vol-data');
  await world.waitForJob(jobOf('data'));
  await world.waitForVolumeLabels('vol-data', (labels) => labels[`recurring-job.longhorn.io/${jobOf('data')}`] === 'enabled', 'the volume label');
  await waitFor('the PVC label', async () => ((await world.getPvc(app, 'data')).metadata?.labels?.[`recurring-job.longhorn.io/${jobOf('data')}`] === 'enabled' ? true : undefined));
  await world.waitForEvent(app, 'data', 'BackupJobCreated');

  // Patch a job.
  await world.labelPvc(app, 'data', { [`${P}/retain`]: '3' });
  await world.waitForJob(jobOf('data'), (job) => job.spec?.retain === 3, 'the patched job');

  // Annotate an orphan, record an Event in the Longhorn namespace, delete the job.
  await world.deletePvc(app, 'data');
  await world.waitForEvent(world.longhornNs, jobOf('data'), 'BackupJobOrphaned');
  await world.waitForNoJob(jobOf('data'));
  await waitForSeries(handle, 'backup_pvc_orphaned', { job: jobOf('data'), namespace: app, pvc: 'data' }, false);
  assert.ok(handle.writes.total() >= 6);
});
