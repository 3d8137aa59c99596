// `status` against a real apiserver with the reconciler running: one row per Longhorn-backed PVC,
// worst first, the job's health label and summary where present (the reconciler's backup health
// records them from the Backups the test plays), the Volume's lastBackupAt otherwise; run as the kubectl
// plugin by the built kubectl, and as a user who may only read PVCs of one namespace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { backupHealthKeys } from '@longhorn-backup-guard/shared/health/health-summary';
import { mergePatch } from '../harness/patch-content-types.ts';
import { useTestCluster } from '../harness/test-cluster.ts';
import { P, enabledLabels, ReconcilerWorld } from './reconciler-fixture.ts';
import { runCli, runPlugin } from './cli-support.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
const longhorn = { group: 'longhorn.io', version: 'v1beta2' };
const health = backupHealthKeys(P);
const jobOf = (name: string) => `backup-${app}-${name}`;
const unreachable = 'backup target unreachable';
let dir = '';
const env = () => ({ KUBECONFIG: cluster.info.kubeconfigPath });
const configMap = () => `--config-map=${world.guardNs}/longhorn-backup-guard`;

interface JsonRow {
  pvc: string;
  protection: string;
  schedule: string;
  retain: string;
  lastBackupAt: string | null;
  lastBackupFrom: string | null;
  health: string;
  violations: string[];
  archive: string;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbg-cli-status-'));
  // Both twins exist before the reconciler starts, so it never makes the job for the first alone.
  await world.createPvc(app, 'twin-a', enabledLabels('twin'));
  await world.createPvc(app, 'twin-b', enabledLabels('twin'));
  await world.start();
  await world.createPvc(
    app,
    'healthy-db',
    enabledLabels('healthy-db', { [`${P}/interval`]: '6', [`${P}/start`]: '0000', [`${P}/retain`]: '14' }),
  );
  await world.createPvc(app, 'failing-db', enabledLabels('failing-db'));
  await world.createPvc(
    app,
    'fresh',
    enabledLabels('fresh', { [`${P}/archive`]: 'true', [`${P}/archive-delete-after`]: '2099-12-31' }),
  );
  await world.createPvc(app, 'scratch', { [`${P}/enabled`]: 'false' });
  await world.createPvc(app, 'unlabelled', {});
  const nfs = `nfs-${app}`;
  await world.storage.createStorageClass({ body: { metadata: { name: nfs }, provisioner: 'nfs.csi.k8s.io' } });
  await world.createPvc(app, 'on-nfs', enabledLabels('on-nfs'), nfs);

  // Longhorn (played): the healthy volume (attached, its last backup 2 h ago, no Backup object of
  // its new job yet); the failing one: a backup completed 3 days ago, then its runs failed. The
  // reconciler's backup health judges both and records the label and summary `status` reads.
  await world.bind(app, 'healthy-db', `pv-healthy-${app}`);
  await world.custom.patchNamespacedCustomObjectStatus(
    {
      ...longhorn,
      namespace: world.longhornNs,
      plural: 'volumes',
      name: `pv-healthy-${app}`,
      body: { status: { state: 'attached', lastBackupAt: new Date(Date.now() - 2 * 3600_000).toISOString() } },
    },
    mergePatch,
  );
  await world.waitForJob(jobOf('healthy-db'));
  await world.waitForJob(jobOf('failing-db'));
  await world.waitForJob(jobOf('fresh'));
  await world.bind(app, 'failing-db', `pv-failing-${app}`);
  await world.custom.patchNamespacedCustomObjectStatus(
    {
      ...longhorn,
      namespace: world.longhornNs,
      plural: 'volumes',
      name: `pv-failing-${app}`,
      body: { status: { state: 'attached' } },
    },
    mergePatch,
  );
  const failing = (run: number, state: 'Completed' | 'Error', hoursAgo: number) =>
    world.playBackup(
      jobOf('failing-db'),
      `pv-failing-${app}`,
      `backup-failing-${app}-${run}`,
      state,
      new Date(Date.now() - hoursAgo * 3600_000),
      state === 'Error' ? { error: unreachable } : {},
    );
  await failing(1, 'Completed', 72);
  await failing(2, 'Error', 2);
  await failing(3, 'Error', 1);
  await world.waitForJob(
    jobOf('failing-db'),
    (job) => job.metadata.labels?.[health.state] === 'failing',
    'failing-db failing',
  );
  await world.waitForJob(
    jobOf('healthy-db'),
    (job) => job.metadata.labels?.[health.state] === 'healthy',
    'healthy-db healthy',
  );
});

after(async () => {
  await world.stopAll();
  await rm(dir, { recursive: true, force: true });
});

test('status -o json: one row per Longhorn-backed PVC, worst first, from the jobs, their health and the Volumes', async () => {
  const result = await runCli(['status', '-n', app, '-o', 'json', configMap()], env());
  assert.equal(result.code, 0, result.stderr);
  const { items, notes } = JSON.parse(result.stdout) as { items: JsonRow[]; notes: string[] };
  assert.deepEqual(notes, []);
  assert.deepEqual(
    items.map((row) => row.pvc),
    ['failing-db', 'twin-a', 'twin-b', 'unlabelled', 'fresh', 'healthy-db', 'scratch'],
  );
  const row = (name: string) => items.find((item) => item.pvc === name);
  assert.deepEqual(row('healthy-db'), {
    ...row('healthy-db'),
    protection: jobOf('healthy-db'),
    schedule: 'every 6 h at :00 UTC',
    retain: '14',
    health: 'healthy',
    lastBackupFrom: 'volume',
    violations: [],
    archive: '-',
  });
  assert.deepEqual(row('failing-db'), {
    ...row('failing-db'),
    health: 'failing',
    lastBackupFrom: 'health-summary',
    protection: jobOf('failing-db'),
  });
  assert.deepEqual(row('fresh'), {
    ...row('fresh'),
    health: 'unknown',
    lastBackupAt: null,
    archive: 'in progress (until 2099-12-31)',
  });
  assert.deepEqual(row('twin-a'), {
    ...row('twin-a'),
    protection: 'no: name also used by another PVC',
    violations: ['duplicate_name'],
    health: '-',
  });
  assert.deepEqual(row('scratch'), {
    ...row('scratch'),
    protection: `no: ${P}/enabled=false`,
    health: '-',
    schedule: '-',
  });
  assert.deepEqual(row('unlabelled'), {
    ...row('unlabelled'),
    protection: `no: ${P}/enabled missing`,
    violations: ['missing_enabled_label'],
  });
});

test('kubectl backup-guard status: the built kubectl finds the plugin and prints the screen', async () => {
  const result = await runPlugin(cluster.info.kubectlPath, ['status', '-n', app, configMap()], env());
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^PVC +PROTECTED +SCHEDULE +RETAIN +LAST BACKUP +HEALTH +VIOLATIONS +ARCHIVE$/);
  assert.match(
    lines[1] ?? '',
    new RegExp(`^failing-db +${jobOf('failing-db')} +every 4 h at :30 UTC +8 +3d ago +failing +- +-$`),
  );
  assert.match(
    result.stdout,
    new RegExp(`\\nhealthy-db +${jobOf('healthy-db')} +every 6 h at :00 UTC +14 +2h ago +healthy +- +-\\n`),
  );
  assert.doesNotMatch(result.stdout, /on-nfs/);
  const wide = await runPlugin(cluster.info.kubectlPath, ['status', '-n', app, '-o', 'wide', configMap()], env());
  assert.match(
    wide.stdout,
    /^PVC +PROTECTED +SCHEDULE +RETAIN +LAST BACKUP +HEALTH +VIOLATIONS +ARCHIVE +STORAGECLASS +VOLUME +HEALTH SINCE +HEALTH REASON\n/,
  );
  assert.match(
    wide.stdout,
    /\nfailing-db .* every 4 h at :30 \(00:30, 04:30, 08:30, 12:30, 16:30, 20:30 UTC\) .* \d+[smh] ago +the last 2 backups of RecurringJob \S+ failed; the newest, \S+: backup target unreachable\n/,
  );
  const everywhere = await runCli(['status', '-A', configMap()], env());
  assert.equal(everywhere.code, 0, everywhere.stderr);
  assert.match(everywhere.stdout, /^NAMESPACE +PVC +PROTECTED /);
  assert.match(everywhere.stdout, new RegExp(`\\n${app} +failing-db +${jobOf('failing-db')} `));
  process.stdout.write(`# kubectl backup-guard status -n ${app}\n${result.stdout.replace(/^/gm, '# ')}`);
});

test('a user who may read only the PVCs of one namespace sees its rows; what it cannot read is noted, not guessed', async () => {
  const rbac = world.cluster.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  const user = `pvc-reader-${app}`;
  await rbac.createNamespacedRole({
    namespace: app,
    body: {
      metadata: { name: 'pvc-reader' },
      rules: [{ apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list'] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: app,
    body: {
      metadata: { name: 'pvc-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pvc-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    },
  });
  const kubeconfig = join(dir, 'namespaced-user');
  const impersonating = cluster.impersonatingKubeConfig(user);
  impersonating.contexts = impersonating.contexts.map((context) => ({ ...context, namespace: app }));
  await writeFile(kubeconfig, impersonating.exportConfig());

  const result = await runPlugin(cluster.info.kubectlPath, ['status', '-o', 'json'], { KUBECONFIG: kubeconfig });
  assert.equal(result.code, 0, result.stderr);
  const { items, notes } = JSON.parse(result.stdout) as { items: JsonRow[]; notes: string[] };
  // No StorageClasses: the nfs PVC shows (it carries backup labels), the unlabelled one cannot be told.
  assert.deepEqual(items.map((row) => row.pvc).sort(), [
    'failing-db',
    'fresh',
    'healthy-db',
    'on-nfs',
    'scratch',
    'twin-a',
    'twin-b',
  ]);
  assert.deepEqual(
    items
      .map((row) => row.health)
      .filter((cell) => cell !== '-')
      .sort(),
    ['unknown', 'unknown', 'unknown', 'unknown'],
  );
  assert.ok(items.every((row) => row.lastBackupAt === null));
  assert.equal(notes.length, 5, notes.join('\n'));
  assert.match(notes.join('\n'), /PersistentVolumes could not be read \(not allowed for this user\)/);
  assert.match(notes.join('\n'), /ConfigMap .* could not be read \(not allowed for this user\)/);
  assert.match(
    notes.join('\n'),
    /RecurringJobs in .* could not be read \(not allowed for this user\): PROTECTED shows the job the labels ask for, HEALTH is unknown/,
  );

  const other = await runCli(['status', '-n', 'default'], { KUBECONFIG: kubeconfig });
  assert.equal(other.code, 2);
  assert.match(other.stderr, /cannot list PersistentVolumeClaims in namespace "default": 403/);
});
