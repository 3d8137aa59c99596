// The status rows from cluster snapshots: which PVCs get a row, what each cell says, worst first.
import { test } from 'node:test';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { archiveKeys } from '@longhorn-backup-guard/shared/archive/archive-keys';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { backupHealthKeys, formatBackupHealthSummary } from '@longhorn-backup-guard/shared/health/health-summary';
import type { RecurringJob, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import {
  sortWorstFirst,
  statusRows,
  type ClusterSnapshot,
  type StatusPvc,
} from '@longhorn-backup-guard/cli/status/status-rows';
import { formatAge } from '@longhorn-backup-guard/cli/status/format-status';
import { withPolicies } from '../../fixtures/policy-config.ts';

const P = 'backup.vluwte.nl';
const now = new Date('2026-06-01T12:00:00Z');
const classes = [
  { metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io' },
  { metadata: { name: 'nfs' }, provisioner: 'nfs.csi.k8s.io' },
];

function pvc(
  name: string,
  labels: Record<string, string>,
  extra: { namespace?: string; storageClassName?: string; volumeName?: string; uid?: string } = {},
): StatusPvc {
  const bound = extra.volumeName === undefined ? {} : { status: { phase: 'Bound' } };
  return {
    metadata: { name, namespace: extra.namespace ?? 'shop', uid: extra.uid ?? `uid-${name}`, labels },
    spec: {
      storageClassName: extra.storageClassName ?? 'longhorn',
      ...(extra.volumeName === undefined ? {} : { volumeName: extra.volumeName }),
    },
    ...bound,
  };
}
/** A Longhorn CSI PV of the Volume `handle`, bound to the PVC `claim` of namespace shop (uid as pvc() makes it). */
function pv(name: string, handle: string, claim: string): V1PersistentVolume {
  return {
    metadata: { name },
    spec: {
      csi: { driver: 'driver.longhorn.io', volumeHandle: handle },
      claimRef: { namespace: 'shop', name: claim, uid: `uid-${claim}` },
    },
  };
}
const on = (name: string, more: Record<string, string> = {}) => ({
  [`${P}/enabled`]: 'true',
  [`${P}/name`]: name,
  ...more,
});
function job(
  name: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): RecurringJob {
  return {
    metadata: { name, namespace: 'longhorn-system', labels: { [`${P}/managed`]: 'true', ...labels }, annotations },
  };
}
const snapshot = (
  pvcs: StatusPvc[],
  jobs: RecurringJob[] | null,
  volumes: Volume[] | null = [],
  storageClasses: typeof classes | null = classes,
  pvs: V1PersistentVolume[] = [],
): ClusterSnapshot => ({ config: defaultConfig, pvcs, storageClasses, jobs, volumes, pvs, now });

test("health and last backup: the job's label and summary first, the Volume's lastBackupAt without a summary", () => {
  const health = backupHealthKeys(P);
  const summary = formatBackupHealthSummary({
    state: 'stale',
    since: '2026-06-01T06:00:00Z',
    reason: 'no completed backup since 2026-05-31T20:30:00Z',
    lastSuccessAt: '2026-05-31T20:30:00Z',
  });
  const rows = statusRows(
    snapshot(
      [
        pvc('stale', on('stale')),
        pvc('fine', on('fine'), { volumeName: 'pv-fine' }),
        pvc('new', on('new')),
        pvc('thief', on('thief'), { volumeName: 'pv-fine' }),
      ],
      [
        job('backup-shop-stale', { [health.state]: 'stale' }, { [health.summary]: summary }),
        job('backup-shop-fine', { [health.state]: 'healthy' }),
      ],
      [{ metadata: { name: 'vol-fine' }, status: { lastBackupAt: '2026-06-01T09:00:00Z' } }],
      classes,
      [pv('pv-fine', 'vol-fine', 'fine')],
    ),
  );
  const cells = (name: string) => {
    const row = rows.find((candidate) => candidate.pvc === name);
    return [row?.protection, row?.health, row?.lastBackupAt, row?.lastBackupFrom, row?.healthReason];
  };
  assert.deepEqual(cells('stale'), [
    'backup-shop-stale',
    'stale',
    '2026-05-31T20:30:00Z',
    'health-summary',
    'no completed backup since 2026-05-31T20:30:00Z',
  ]);
  assert.deepEqual(cells('fine'), ['backup-shop-fine', 'healthy', '2026-06-01T09:00:00Z', 'volume', null]);
  assert.deepEqual(cells('new'), ['backup-shop-new (not created yet)', '-', null, null, null]);
  // Naming another PVC's PV in spec.volumeName shows nothing of its Volume (the reconciler's binding rule).
  assert.deepEqual(cells('thief').slice(2, 4), [null, null]);
  assert.deepEqual(
    sortWorstFirst(rows).map((row) => row.pvc),
    ['stale', 'new', 'thief', 'fine'],
  );
});

test('a PVC on a policy: the policy, its schedules and retains, whether its jobs exist; no job of its own', () => {
  const config = withPolicies();
  const labels = on('db', { [`${P}/policy`]: 'standard' });
  const policyJob = (name: string) => job(name, { [`${P}/source-policy`]: 'standard' });
  const cells = (jobs: RecurringJob[]) => {
    const [row] = statusRows({ ...snapshot([pvc('db', labels)], jobs), config });
    return [row?.protection, row?.job, row?.schedule, row?.retain, row?.health, row?.violations];
  };
  assert.deepEqual(cells([policyJob('policy-standard-daily'), policyJob('policy-standard-weekly')]), [
    'policy standard',
    null,
    'daily 02:00 + sun 03:00',
    '7/4',
    'unknown',
    [],
  ]);
  // Not bound yet: unknown (as a job's); its jobs not created yet: nothing is assessed.
  assert.deepEqual(
    cells([policyJob('policy-standard-daily')]).filter((_, i) => i === 0 || i === 4),
    ['policy standard (jobs not created yet)', '-'],
  );
});

test("a PVC on a policy: its health from its Volume's record (it has no job of its own), never from another PVC's", () => {
  const config = withPolicies();
  const health = backupHealthKeys(P);
  const labels = on('db', { [`${P}/policy`]: 'standard' });
  const policyJobs = ['policy-standard-daily', 'policy-standard-weekly'].map((name) =>
    job(name, { [`${P}/source-policy`]: 'standard' }),
  );
  const summary = formatBackupHealthSummary({
    state: 'failing',
    since: '2026-06-01T06:00:00Z',
    reason: 'the last 2 backups of RecurringJob policy-standard-daily failed',
    lastFailureAt: '2026-06-01T05:00:00Z',
    lastError: 'target unreachable',
  });
  const volume = (labelsOf: Record<string, string>, annotations: Record<string, string> = {}): Volume => ({
    metadata: { name: 'vol-db', labels: labelsOf, annotations },
  });
  const rowOf = (volumes: Volume[] | null, pvcs = [pvc('db', labels, { volumeName: 'pv-db' })]) =>
    statusRows({ ...snapshot(pvcs, policyJobs, volumes, classes, [pv('pv-db', 'vol-db', 'db')]), config }).find(
      (row) => row.pvc === 'db',
    );
  const recorded = rowOf([volume({ [health.state]: 'failing' }, { [health.summary]: summary })]);
  assert.deepEqual(
    [recorded?.health, recorded?.healthSince, recorded?.healthReason],
    ['failing', '2026-06-01T06:00:00Z', 'the last 2 backups of RecurringJob policy-standard-daily failed'],
  );
  // Bound with nothing recorded yet, Volumes unreadable, or not bound: unknown (as for a job).
  assert.equal(rowOf([volume({})])?.health, 'unknown');
  assert.equal(rowOf(null)?.health, 'unknown');
  assert.equal(rowOf([volume({ [health.state]: 'failing' })], [pvc('db', labels)])?.health, 'unknown');
  const other = pvc('other', on('other'), { volumeName: 'pv-db' });
  const rows = statusRows({
    ...snapshot(
      [pvc('db', labels, { volumeName: 'pv-db' }), other],
      [...policyJobs, job('backup-shop-other', { [health.state]: 'healthy' })],
      [volume({ [health.state]: 'failing' }, { [health.summary]: summary })],
      classes,
      [pv('pv-db', 'vol-db', 'db')],
    ),
    config,
  });
  assert.deepEqual(
    sortWorstFirst(rows).map((row) => [row.pvc, row.health]),
    [
      ['db', 'failing'],
      ['other', 'healthy'],
    ],
  );
});

test('jobs that cannot be read: the job the labels ask for, health unknown', () => {
  const [row] = statusRows(snapshot([pvc('db', on('db'))], null));
  assert.deepEqual([row?.protection, row?.health], ['backup-shop-db', 'unknown']);
});

test("archive: requested, in progress, ready, expired (the record on the job for this PVC's uid)", () => {
  const keys = archiveKeys(P);
  const record = (uid: string) => ({
    [keys.volume]: 'pv',
    [keys.pvc]: 'x',
    [keys.pvcUid]: uid,
    [keys.attempt]: '1',
    [keys.backup]: 'backup-1',
    [keys.completedAt]: '2026-05-01T00:00:00Z',
  });
  const archive = (date: string) => on('x', { [`${P}/archive`]: 'true', [`${P}/archive-delete-after`]: date });
  const rows = statusRows(
    snapshot(
      [
        pvc('ready', { ...archive('2026-12-31'), [`${P}/name`]: 'ready' }),
        pvc('expired', { ...archive('2026-05-31'), [`${P}/name`]: 'expired' }),
        pvc('running', { ...archive('2026-12-31'), [`${P}/name`]: 'running' }),
        pvc('other-uid', { ...archive('2026-12-31'), [`${P}/name`]: 'other-uid' }),
      ],
      [
        job('backup-shop-ready', {}, record('uid-ready')),
        job('backup-shop-expired', {}, record('uid-expired')),
        job('backup-shop-running'),
        job('backup-shop-other-uid', {}, record('uid-before')),
      ],
    ),
  );
  assert.deepEqual(
    rows.map((row) => [row.pvc, row.archive]),
    [
      ['ready', 'ready (until 2026-12-31)'],
      ['expired', 'expired (2026-05-31)'],
      ['running', 'in progress (until 2026-12-31)'],
      ['other-uid', 'in progress (until 2026-12-31)'],
    ],
  );
  assert.equal(
    statusRows(snapshot([pvc('asked', archive('2026-12-31'))], null))[0]?.archive,
    'requested (until 2026-12-31)',
  );
});

test('which PVCs get a row: Longhorn-backed and in scope; without StorageClasses, those bound to a Longhorn Volume or carrying backup labels', () => {
  const pvcs = [
    pvc('lh', on('lh')),
    pvc('nfs', on('nfs'), { storageClassName: 'nfs' }),
    pvc('system', on('system'), { namespace: 'kube-system' }),
    pvc('bound-unlabelled', {}, { volumeName: 'pv-1' }),
    pvc('plain', {}),
  ];
  assert.deepEqual(
    statusRows(snapshot(pvcs, [], [])).map((row) => row.pvc),
    ['lh', 'bound-unlabelled', 'plain'],
  );
  assert.deepEqual(
    statusRows(
      snapshot(pvcs, [], [{ metadata: { name: 'vol-1' } }], null, [pv('pv-1', 'vol-1', 'bound-unlabelled')]),
    ).map((row) => row.pvc),
    ['lh', 'nfs', 'bound-unlabelled'],
  );
});

test('why not protected, and worst first', () => {
  const rows = sortWorstFirst(
    statusRows(
      snapshot(
        [
          pvc('off', { [`${P}/enabled`]: 'false' }),
          pvc('bad', on('bad', { [`${P}/interval`]: '5' })),
          pvc('a', on('same')),
          pvc('b', on('same')),
          pvc('bare', {}),
        ],
        [],
      ),
    ),
  );
  assert.deepEqual(
    rows.map((row) => [row.pvc, row.protection, row.violations.join(',')]),
    [
      ['a', 'no: name also used by another PVC', 'duplicate_name'],
      ['b', 'no: name also used by another PVC', 'duplicate_name'],
      ['bad', 'no: invalid labels', 'invalid_interval'],
      ['bare', `no: ${P}/enabled missing`, 'missing_enabled_label'],
      ['off', `no: ${P}/enabled=false`, ''],
    ],
  );
});

test('a job made before its name became a duplicate is kept, and says so', () => {
  const rows = statusRows(snapshot([pvc('a', on('same')), pvc('b', on('same'))], [job('backup-shop-same')]));
  assert.deepEqual(
    rows.map((row) => [row.protection, row.health]),
    [
      ['backup-shop-same (kept; name also used by another PVC)', 'unknown'],
      ['backup-shop-same (kept; name also used by another PVC)', 'unknown'],
    ],
  );
});

test('ages as kubectl rounds them', () => {
  assert.deepEqual(
    ['2026-06-01T11:59:00Z', '2026-06-01T11:00:00Z', '2026-06-01T09:00:00Z', '2026-05-29T12:00:00Z', 'not a time'].map(
      (at) => formatAge(at, now),
    ),
    ['60s ago', '60m ago', '3h ago', '3d ago', '-'],
  );
  assert.equal(formatAge(null, now), '-');
});
