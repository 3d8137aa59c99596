// A write the apiserver refuses (here a ValidatingAdmissionPolicy in the test's Longhorn namespace,
// standing in for Longhorn's admission webhook refusing an archive Snapshot): a Warning Event with
// the API's message on the PVC, recorded once however often the key is retried with backoff, and
// the write goes through as soon as the refusal ends, with nothing else changed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { ReconcilerWorld, scrape, seriesValue } from './reconciler-fixture.ts';
import { archiveNames, archivingPvc } from './archive-fixture.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
const policy = `lbg-refuse-snapshots-${randomBytes(4).toString('hex')}`;
const REFUSAL = 'snapshot count of the volume exceeds the limit (played by the test)';
after(async () => {
  await cluster.kubectl([
    'delete',
    'validatingadmissionpolicybinding,validatingadmissionpolicy',
    policy,
    '--ignore-not-found',
  ]);
  await world.stopAll();
});

const manifests = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: ${policy} }
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - { apiGroups: [longhorn.io], apiVersions: ['*'], operations: [CREATE], resources: [snapshots] }
  validations:
    - { expression: 'false', message: '${REFUSAL}' }
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: ${policy} }
spec:
  policyName: ${policy}
  validationActions: [Deny]
  matchResources:
    namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ${world.longhornNs} } }
`;

async function snapshotRefused(): Promise<boolean> {
  const body = {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Snapshot',
    metadata: { name: 'probe' },
    spec: { volume: 'v' },
  };
  return world.custom
    .createNamespacedCustomObject({
      group: 'longhorn.io',
      version: 'v1beta2',
      namespace: world.longhornNs,
      plural: 'snapshots',
      body,
      dryRun: 'All',
    })
    .then(
      () => false,
      () => true,
    );
}

test('an archive Snapshot the apiserver refuses: one Warning with its message on the PVC, retried with backoff, created once the refusal ends', async () => {
  const applied = await cluster.kubectl(['apply', '-f', '-'], { input: manifests });
  assert.equal(applied.code, 0, applied.stderr);
  await waitFor('the policy in force', async () => ((await snapshotRefused()) ? true : undefined));
  // Every refused retry is logged at error level: quiet unless asked for.
  const handle = await world.start('refused-1', {
    log: createLogger('reconciler-test', process.env.LOG_LEVEL ?? 'fatal'),
  });

  const job = await archivingPvc(world, app, 'refused', 'vol-refused', '2099-12-31');
  const warning = await world.waitForEvent(app, 'refused', 'BackupWriteRefused');
  assert.equal(warning.type, 'Warning');
  assert.match(
    warning.message ?? '',
    new RegExp(
      `^the apiserver refused to create Snapshot ${world.longhornNs}/${job}-[^:]+: 4\\d\\d: .*${REFUSAL.replace(/[()]/g, '\\$&')}`,
    ),
  );
  const retries = async () => seriesValue(await scrape(handle), 'workqueue_retries_total', { name: 'reconciler' }) ?? 0;
  await waitFor('several retries', async () => ((await retries()) >= 3 ? true : undefined));
  const refusals = (await world.events(app, 'refused')).filter((event) => event.reason === 'BackupWriteRefused');
  assert.equal(refusals.length, 1, 'one Event for the same refusal');
  assert.equal(refusals[0]?.count, 1);
  assert.deepEqual(await archiveNames(world, 'snapshots', job), []);

  const removed = await cluster.kubectl(['delete', 'validatingadmissionpolicybinding', policy]);
  assert.equal(removed.code, 0, removed.stderr);
  await waitFor('the archive Snapshot created by a retry', async () =>
    (await archiveNames(world, 'snapshots', job)).length === 1 ? true : undefined,
  );
  await world.waitForEvent(app, 'refused', 'ArchiveSnapshotCreated');
});
