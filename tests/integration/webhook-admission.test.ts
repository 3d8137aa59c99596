// The real webhook behind a real kube-apiserver: what a person running kubectl sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { mergePatch } from '../harness/patch-content-types.ts';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { P, pvcBody, pvcYaml, waitUntilWebhooksCalled, useWebhookScene } from './webhook-support.ts';

const cluster = await useTestCluster();
let legacyNs = '';
let ns = '';
const scene = await useWebhookScene(cluster, {
  namespacePrefix: 'lbg-wh',
  // A PVC labelled badly before the webhook existed.
  async beforeStart({ kc, registration, classes }) {
    legacyNs = await cluster.createNamespace('lbg-wh-legacy', registration.namespaceLabels);
    await kc.makeApiClient(CoreV1Api).createNamespacedPersistentVolumeClaim({
      namespace: legacyNs,
      body: pvcBody('legacy', { [`${P}/enabled`]: 'yes', [`${P}/start`]: '2460' }, classes.longhorn),
    });
  },
  async afterStart({ kc, classes, namespace }) {
    ns = namespace;
    await waitUntilWebhooksCalled(kc, legacyNs, classes.longhorn);
  },
});
const { kc, registration, classes } = scene;
const core = kc.makeApiClient(CoreV1Api);

const l = (entries: Record<string, string>) =>
  Object.fromEntries(Object.entries(entries).map(([key, value]) => [key.includes('/') ? key : `${P}/${key}`, value]));
const ok = { enabled: 'true', name: 'data' };

async function apply(name: string, labels: Record<string, string>, storageClass = classes.longhorn, namespace = ns) {
  return cluster.kubectl(['apply', '-f', '-'], { input: pvcYaml(namespace, name, labels, storageClass) });
}

function deniedOnCreate(pvc: string, message: string): string {
  return `Error from server (Forbidden): error when creating "STDIN": admission webhook "${registration.validatingWebhookName}" denied the request: PVC "${pvc}": ${message}\n`;
}

const room = () => 40 - `backup-${ns}-`.length;

const rules: { case: string; pvc: string; labels: Record<string, string>; message: () => string }[] = [
  {
    case: 'start 2460',
    pvc: 'bad-start',
    labels: { ...ok, start: '2460' },
    message: () =>
      `${P}/start="2460" is not a time of day: use four digits HHMM from 0000 to 2359, a time of day in UTC (e.g. ${P}/start=0100)`,
  },
  {
    case: 'start 0060',
    pvc: 'bad-minute',
    labels: { ...ok, start: '0060' },
    message: () =>
      `${P}/start="0060" is not a time of day: use four digits HHMM from 0000 to 2359, a time of day in UTC (e.g. ${P}/start=0100)`,
  },
  {
    case: 'interval 5',
    pvc: 'bad-interval',
    labels: { ...ok, interval: '5' },
    message: () => `${P}/interval="5" is not a divisor of 24: use 1, 2, 3, 4, 6, 8, 12 or 24 (e.g. ${P}/interval=6)`,
  },
  {
    case: 'retain 0',
    pvc: 'bad-retain-0',
    labels: { ...ok, retain: '0' },
    message: () => `${P}/retain="0" is less than 1: use a whole number from 1 to 100 (e.g. ${P}/retain=1)`,
  },
  {
    case: 'retain 101',
    pvc: 'bad-retain-101',
    labels: { ...ok, retain: '101' },
    message: () =>
      `${P}/retain="101" is above the maximum of 100 (Longhorn's recurring-job-max-retention): use a whole number from 1 to 100 (e.g. ${P}/retain=100)`,
  },
  {
    case: 'enabled yes',
    pvc: 'bad-enabled',
    labels: { enabled: 'yes' },
    message: () => `${P}/enabled="yes" is not allowed: use true or false (e.g. ${P}/enabled=true)`,
  },
  {
    case: 'a name with upper case',
    pvc: 'bad-name',
    labels: { enabled: 'true', name: 'Data' },
    message: () =>
      `${P}/name="Data" is not a DNS label: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${room()} characters in namespace "${ns}" (e.g. ${P}/name=data)`,
  },
  {
    case: 'a job name over 40 characters',
    pvc: 'long-name',
    labels: { enabled: 'true', name: 'database-volume-for-reports' },
    message: () =>
      `${P}/name="database-volume-for-reports" makes the job name "backup-${ns}-database-volume-for-reports" ${`backup-${ns}-database-volume-for-reports`.length} characters long, Longhorn allows 40: in namespace "${ns}" the name can have at most ${room()} characters (e.g. ${P}/name=${'database-volume-for-reports'.slice(0, room()).replace(/-+$/, '')})`,
  },
  {
    case: 'archive without a date',
    pvc: 'bad-archive',
    labels: { ...ok, archive: 'true' },
    message: () =>
      `${P}/archive-delete-after is missing: ${P}/archive=true needs the date after which the archive may be deleted: use a real date as YYYY-MM-DD (e.g. ${P}/archive-delete-after=2030-12-31)`,
  },
  {
    case: 'the date 2026-02-30',
    pvc: 'bad-date',
    labels: { ...ok, archive: 'true', 'archive-delete-after': '2026-02-30' },
    message: () =>
      `${P}/archive-delete-after="2026-02-30" is not a real calendar date: use a real date as YYYY-MM-DD (e.g. ${P}/archive-delete-after=2026-02-28)`,
  },
];

for (const rule of rules) {
  test(`kubectl apply is refused with the rule's message: ${rule.case}`, async () => {
    const result = await apply(rule.pvc, l(rule.labels));
    assert.equal(result.code, 1);
    assert.equal(result.stderr, deniedOnCreate(rule.pvc, rule.message()));
  });
}

test('kubectl apply of a duplicate name is refused and names the other PVC', async () => {
  const first = await apply('first', l({ enabled: 'true', name: 'shared' }));
  assert.equal(first.code, 0, first.stderr);
  // The webhook's cache sees the first PVC a moment after it is stored (two CREATEs racing each
  // other are best-effort; the reconciler reports what slips through): wait with server dry-runs.
  await waitFor('the cache to hold the first PVC', async () => {
    const dryRun = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], {
      input: pvcYaml(ns, 'second', l({ enabled: 'true', name: 'shared' }), classes.longhorn),
    });
    return dryRun.code !== 0 ? true : undefined;
  });
  let result = await apply('second', l({ enabled: 'true', name: 'shared' }));
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    deniedOnCreate(
      'second',
      `${P}/name="shared" is also used by PVC "first" in namespace "${ns}": the job backup-${ns}-shared can back up only one PVC, so give each PVC its own name (e.g. ${P}/name=shared-2)`,
    ),
  );
  result = await apply('second', l({ enabled: 'true', name: 'shared-2' }));
  assert.equal(result.code, 0, result.stderr);
});

test('several problems on one PVC are all listed', async () => {
  const result = await apply('many-problems', l({ enabled: 'yes', start: '2460', interval: '5', retain: '0' }));
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    [
      `Error from server (Forbidden): error when creating "STDIN": admission webhook "${registration.validatingWebhookName}" denied the request: PVC "many-problems" has 4 problems with its backup labels:`,
      `- ${P}/enabled="yes" is not allowed: use true or false (e.g. ${P}/enabled=true)`,
      `- ${P}/retain="0" is less than 1: use a whole number from 1 to 100 (e.g. ${P}/retain=1)`,
      `- ${P}/interval="5" is not a divisor of 24: use 1, 2, 3, 4, 6, 8, 12 or 24 (e.g. ${P}/interval=6)`,
      `- ${P}/start="2460" is not a time of day: use four digits HHMM from 0000 to 2359, a time of day in UTC (e.g. ${P}/start=0100)`,
      '',
    ].join('\n'),
  );
});

test('kubectl label of an existing PVC with a bad value is refused; a good value passes', async () => {
  assert.equal((await apply('labelled', l(ok))).code, 0);
  const refused = await cluster.kubectl(['label', 'pvc', 'labelled', '-n', ns, `${P}/retain=0`]);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr,
    `Error from server (Forbidden): admission webhook "${registration.validatingWebhookName}" denied the request: PVC "labelled": ${P}/retain="0" is less than 1: use a whole number from 1 to 100 (e.g. ${P}/retain=1)\n`,
  );
  const accepted = await cluster.kubectl(['label', 'pvc', 'labelled', '-n', ns, `${P}/retain=14`]);
  assert.equal(accepted.code, 0, accepted.stderr);
  const stored = await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'labelled' });
  assert.equal(stored.metadata?.labels?.[`${P}/retain`], '14');
});

test('a PVC labelled badly before the webhook existed: updates that leave the backup labels pass, the PV binder too', async () => {
  const relabel = await cluster.kubectl(['label', 'pvc', 'legacy', '-n', legacyNs, 'app=reports']);
  assert.equal(relabel.code, 0, relabel.stderr);
  // The PV binder sets spec.volumeName on the claim.
  await core.patchNamespacedPersistentVolumeClaim(
    { namespace: legacyNs, name: 'legacy', body: { spec: { volumeName: 'pvc-legacy-volume' } } },
    mergePatch,
  );
  const stored = await core.readNamespacedPersistentVolumeClaim({ namespace: legacyNs, name: 'legacy' });
  assert.equal(stored.spec?.volumeName, 'pvc-legacy-volume');
  assert.equal(stored.metadata?.labels?.app, 'reports');
  // A problem already there does not block fixing another label, but a new one is refused.
  const fixOne = await cluster.kubectl([
    'label',
    'pvc',
    'legacy',
    '-n',
    legacyNs,
    '--overwrite',
    `${P}/enabled=true`,
    `${P}/name=legacy`,
  ]);
  assert.equal(fixOne.code, 0, fixOne.stderr);
  assert.match(fixOne.stderr, /^Warning: backup.vluwte.nl\/start="2460" is not a time of day/);
  const worse = await cluster.kubectl(['label', 'pvc', 'legacy', '-n', legacyNs, `${P}/interval=5`]);
  assert.equal(worse.code, 1);
  assert.match(
    worse.stderr,
    /denied the request: PVC "legacy" has 2 problems with its backup labels:\n- .*interval="5".*\n- .*start="2460"/,
  );
});

test('defaulting on create is in the stored object: enabled from the namespace policy label, name from the PVC name', async () => {
  const policyNs = await cluster.createNamespace('lbg-wh-policy', {
    ...registration.namespaceLabels,
    [`${P}/default-enabled`]: 'true',
  });
  const result = await apply('reports', {}, classes.longhorn, policyNs);
  assert.equal(result.code, 0, result.stderr);
  const stored = await core.readNamespacedPersistentVolumeClaim({ namespace: policyNs, name: 'reports' });
  assert.deepEqual(stored.metadata?.labels, l({ enabled: 'true', name: 'reports' }));
  // enabled given, name left out: the name is filled in anywhere.
  assert.equal((await apply('named-by-default', l({ enabled: 'true' }))).code, 0);
  const named = await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'named-by-default' });
  assert.equal(named.metadata?.labels?.[`${P}/name`], 'named-by-default');
});

test('a PVC of another provisioner passes with a warning kubectl prints', async () => {
  const result = await apply('on-nfs', l({ enabled: 'yes' }), classes.other);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stderr,
    `Warning: PVC "on-nfs" is not Longhorn-backed (StorageClass "${classes.other}" has provisioner "nfs.csi.k8s.io", not driver.longhorn.io): its backup labels are ignored and no backup is made\n`,
  );
});

test('deleting a protected PVC without an archive warns', async () => {
  assert.equal((await apply('to-delete', l({ enabled: 'true', name: 'to-delete' }))).code, 0);
  const result = await cluster.kubectl(['delete', 'pvc', 'to-delete', '-n', ns, '--wait=false']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stderr,
    `Warning: PVC "to-delete" is backed up (job backup-${ns}-to-delete) and has no completed archive: no final full backup is made and its job is removed 24h after the deletion; to keep a final full backup, first label it ${P}/archive=true ${P}/archive-delete-after=YYYY-MM-DD and let the archive complete; or opt it out with ${P}/enabled=false\n`,
  );
});
