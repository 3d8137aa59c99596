import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { sourcePvcLabelValue } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import { decide } from '@longhorn-backup-guard/reconciler/decide/decide-key';
import type { Action } from '@longhorn-backup-guard/reconciler/model/actions';
import {
  LONGHORN_NS,
  NOW,
  P,
  job,
  longhornClass,
  managedLabels,
  nfsClass,
  pvc,
  snapshotOf,
  volume,
} from './snapshot-fixtures.ts';

const on = { [`${P}/enabled`]: 'true' };
const named = (name: string, extra: Record<string, string> = {}) => ({ ...on, [`${P}/name`]: name, ...extra });
const writes = (actions: readonly Action[]) => actions.filter((action) => action.type !== 'event');
const events = (actions: readonly Action[]) =>
  actions.flatMap((action) => (action.type === 'event' ? [action.event] : action.event ? [action.event] : []));
const JOB_LABEL = 'recurring-job.longhorn.io/backup-shop-db';

/** The job an opted-in shop/db with default settings has once it is in sync. */
const dbJob = () => job('backup-shop-db', managedLabels('shop', 'db'));

test('a PVC whose StorageClass is not Longhorn is left alone; backup labels on it get one warning', () => {
  const plain = decide(snapshotOf('shop', 'db', { pvcs: [pvc('shop', 'db', {}, { storageClassName: 'nfs' })] }));
  assert.deepEqual(plain.actions, []);
  assert.deepEqual(plain.report.violations, []);
  const labelled = decide(
    snapshotOf('shop', 'db', { pvcs: [pvc('shop', 'db', named('db'), { storageClassName: 'nfs' })] }),
  );
  assert.deepEqual(writes(labelled.actions), []);
  assert.deepEqual(
    events(labelled.actions).map((e) => [e.type, e.reason]),
    [['Warning', 'BackupLabelsIgnored']],
  );
  assert.match(
    events(labelled.actions)[0]?.message ?? '',
    /StorageClass nfs has provisioner nfs\.csi\.k8s\.io, not driver\.longhorn\.io/,
  );
  assert.deepEqual(labelled.report.managed, []);
});

test('no storageClassName means the default StorageClass; "" means none', () => {
  const defaultLonghorn = {
    ...longhornClass,
    metadata: { name: 'longhorn', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  };
  const viaDefault = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', {}, { storageClassName: null })],
      storageClasses: [defaultLonghorn, nfsClass],
    }),
  );
  assert.deepEqual(
    viaDefault.report.violations.map((v) => v.condition),
    ['missing_enabled_label'],
  );
  const none = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', {}, { storageClassName: '' })],
      storageClasses: [defaultLonghorn],
    }),
  );
  assert.deepEqual(none.report.violations, []);
});

test('a PVC bound to a Longhorn volume is Longhorn-backed whatever its StorageClass says', () => {
  const restored = pvc('shop', 'db', {}, { storageClassName: 'nfs', volumeName: 'grafana-restored' });
  const result = decide(snapshotOf('shop', 'db', { pvcs: [restored], volumes: [volume('grafana-restored')] }));
  assert.deepEqual(
    result.report.violations.map((v) => v.condition),
    ['missing_enabled_label'],
  );
  assert.deepEqual(
    events(result.actions).map((e) => e.reason),
    ['MissingBackupLabels'],
  );
});

test('a new opted-in PVC gets its job at once and waits for its volume (seed bug 1)', () => {
  const result = decide(snapshotOf('shop', 'db', { pvcs: [pvc('shop', 'db', named('db'))] }));
  const [create, ...rest] = result.actions;
  assert.equal(create?.type, 'create');
  assert.deepEqual(create.type === 'create' && create.target, {
    resource: 'recurringjobs',
    namespace: LONGHORN_NS,
    name: 'backup-shop-db',
  });
  const body =
    create.type === 'create'
      ? (create.body as { spec: { cron: string; task: string }; metadata: { labels: Record<string, string> } })
      : undefined;
  assert.equal(body?.spec.cron, '30 0,4,8,12,16,20 * * *');
  assert.equal(body?.spec.task, 'backup');
  assert.equal(body?.metadata.labels[`${P}/managed`], 'true');
  assert.equal(create.type === 'create' && create.event?.reason, 'BackupJobCreated');
  assert.deepEqual(
    rest.map((a) => a.type === 'event' && a.event.reason),
    ['WaitingForVolume'],
  );
  assert.match(events(rest)[0]?.message ?? '', /not bound yet/);
  assert.deepEqual(result.report.managed, ['backup-shop-db']);
});

test('start 2100 every 6 h becomes the hour list 3,9,15,21 (not 21/6)', () => {
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', named('db', { [`${P}/start`]: '2100', [`${P}/interval`]: '6' }))],
    }),
  );
  const create = result.actions.find((a) => a.type === 'create');
  assert.equal(create?.type === 'create' && (create.body as { spec: { cron: string } }).spec.cron, '0 3,9,15,21 * * *');
});

test('the volume label goes on the Volume named by spec.volumeName, not pvc-<uid>, and keeps the default group', () => {
  const restored = volume('restored-7', { 'recurring-job-group.longhorn.io/default': 'enabled' });
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', named('db'), { volumeName: 'restored-7' })],
      volumes: [restored],
      jobs: [dbJob()],
    }),
  );
  assert.deepEqual(writes(result.actions), [
    {
      type: 'patch',
      target: { resource: 'volumes', namespace: LONGHORN_NS, name: 'restored-7' },
      patch: { metadata: { labels: { [JOB_LABEL]: 'enabled' } } },
      event: events(result.actions)[0],
    },
  ]);
  assert.equal(events(result.actions)[0]?.reason, 'BackupVolumeLabelled');
});

test('the steady state writes nothing and records nothing', () => {
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', named('db'), { volumeName: 'pvc-1' })],
      volumes: [volume('pvc-1', { [JOB_LABEL]: 'enabled', 'recurring-job-group.longhorn.io/default': 'enabled' })],
      jobs: [dbJob()],
    }),
  );
  assert.deepEqual(result.actions, []);
  assert.deepEqual(result.report.managed, ['backup-shop-db']);
  assert.equal(result.requeueAfter, undefined);
});

test('a changed label patches only the difference', () => {
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', named('db', { [`${P}/retain`]: '14' }), { volumeName: 'pvc-1' })],
      volumes: [volume('pvc-1', { [JOB_LABEL]: 'enabled' })],
      jobs: [dbJob()],
    }),
  );
  assert.equal(result.actions.length, 1);
  const [patch] = result.actions;
  assert.deepEqual(patch?.type === 'patch' && patch.patch, { spec: { retain: 14 } });
  assert.equal(patch?.type === 'patch' && patch.event?.reason, 'BackupJobUpdated');
  assert.match(patch?.type === 'patch' ? (patch.event?.message ?? '') : '', /spec\.retain: 8 -> 14/);
});

test('opting out removes only our volume label, then deletes the job; the default group stays', () => {
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', { [`${P}/enabled`]: 'false' }, { volumeName: 'pvc-1' })],
      volumes: [volume('pvc-1', { [JOB_LABEL]: 'enabled', 'recurring-job-group.longhorn.io/default': 'enabled' })],
      jobs: [dbJob()],
    }),
  );
  assert.deepEqual(
    result.actions.map((a) => [a.type, a.type === 'event' ? a.event.reason : a.target.resource]),
    [
      ['patch', 'volumes'],
      ['delete', 'recurringjobs'],
    ],
  );
  const [unlabel, remove] = result.actions;
  assert.deepEqual(unlabel?.type === 'patch' && unlabel.patch, { metadata: { labels: { [JOB_LABEL]: null } } });
  assert.equal(remove?.type === 'delete' && remove.resourceVersion, '7', 'deletes only the version decided on');
  assert.equal(remove?.type === 'delete' && remove.event?.reason, 'BackupDisabled');
  assert.deepEqual(result.report.managed, []);
});

test('opting out keeps a job with archive labels (the archive workflow owns it)', () => {
  const archived = job(
    'backup-shop-db',
    managedLabels('shop', 'db', { [`${P}/archive`]: 'true', [`${P}/archive-delete-after`]: '2030-01-01' }),
  );
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', { [`${P}/enabled`]: 'false' }, { volumeName: 'pvc-1' })],
      volumes: [volume('pvc-1', { [JOB_LABEL]: 'enabled' })],
      jobs: [archived],
    }),
  );
  assert.ok(!result.actions.some((a) => a.type === 'delete'));
  assert.deepEqual(result.report.retained, ['backup-shop-db']);
  assert.deepEqual(
    events(result.actions).map((e) => e.reason),
    ['BackupJobRetained'],
  );
});

test('a rename creates the new job, swaps the volume label in one patch, then deletes the old job', () => {
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', named('main'), { volumeName: 'pvc-1' })],
      volumes: [volume('pvc-1', { [JOB_LABEL]: 'enabled' })],
      jobs: [dbJob()],
    }),
  );
  assert.deepEqual(
    result.actions.map((a) => a.type),
    ['create', 'patch', 'delete'],
  );
  const [, relabel, remove] = result.actions;
  assert.deepEqual(relabel?.type === 'patch' && relabel.patch, {
    metadata: { labels: { 'recurring-job.longhorn.io/backup-shop-main': 'enabled', [JOB_LABEL]: null } },
  });
  assert.deepEqual(remove?.type === 'delete' && [remove.target.name, remove.event?.reason], [
    'backup-shop-db',
    'BackupJobRenamed',
  ]);
  assert.deepEqual(result.report.managed, ['backup-shop-main']);
});

test('duplicate names: neither PVC gets a job, each is told about the other', () => {
  const pvcs = [pvc('shop', 'a', named('db')), pvc('shop', 'b', named('db'))];
  for (const [self, other] of [
    ['a', 'b'],
    ['b', 'a'],
  ] as const) {
    const result = decide(snapshotOf('shop', self, { pvcs }));
    assert.deepEqual(writes(result.actions), []);
    assert.deepEqual(
      result.report.violations.map((v) => v.condition),
      ['duplicate_name'],
    );
    assert.match(result.report.violations[0]?.message ?? '', new RegExp(`PVC "${other}"`));
    assert.deepEqual(
      events(result.actions).map((e) => [e.type, e.reason]),
      [['Warning', 'DuplicateBackupName']],
    );
  }
});

test('a PVC with violations leaves its existing job and volume label exactly as they are', () => {
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', named('db', { [`${P}/interval`]: '5' }), { volumeName: 'pvc-1' })],
      volumes: [volume('pvc-1', { [JOB_LABEL]: 'enabled' })],
      jobs: [dbJob()],
    }),
  );
  assert.deepEqual(writes(result.actions), []);
  assert.deepEqual(
    result.report.violations.map((v) => v.condition),
    ['invalid_interval'],
  );
  assert.deepEqual(result.report.managed, ['backup-shop-db'], 'its backups keep running');
  assert.deepEqual(
    events(result.actions).map((e) => e.reason),
    ['InvalidBackupLabels'],
  );
});

test('backup-a-b-c of namespace a-b name c conflicts with namespace a name b-c: reported, never touched', () => {
  const holder = job('backup-a-b-c', managedLabels('a-b', 'c'));
  const result = decide(snapshotOf('a', 'x', { pvcs: [pvc('a', 'x', named('b-c'))], jobs: [holder] }));
  assert.deepEqual(writes(result.actions), []);
  assert.deepEqual(
    result.report.violations.map((v) => v.condition),
    ['job_name_conflict'],
  );
  assert.match(
    result.report.violations[0]?.message ?? '',
    /backup\.vluwte\.nl\/name="b-c" gives the job name backup-a-b-c, which already backs up PVC "c" in namespace "a-b".*\(e\.g\. backup\.vluwte\.nl\/name=b-c-2\)/,
  );
  assert.deepEqual(
    events(result.actions).map((e) => e.reason),
    ['BackupJobNameConflict'],
  );
});

test('a manual job with the desired name is never touched and is reported as a conflict', () => {
  const manual = job('backup-shop-db', { team: 'ops' });
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', named('db'), { volumeName: 'pvc-1' })],
      volumes: [volume('pvc-1')],
      jobs: [manual],
    }),
  );
  assert.deepEqual(writes(result.actions), []);
  assert.match(result.report.violations[0]?.message ?? '', /was not created by longhorn-backup-guard/);
});

test("a PVC that is Longhorn's source of truth gets the job label too; stale ones go", () => {
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [
        pvc('shop', 'db', { ...named('db'), 'recurring-job.longhorn.io/source': 'enabled' }, { volumeName: 'pvc-1' }),
      ],
      volumes: [volume('pvc-1', { [JOB_LABEL]: 'enabled' })],
      jobs: [dbJob()],
    }),
  );
  assert.deepEqual(result.actions, [
    {
      type: 'patch',
      target: { resource: 'persistentvolumeclaims', namespace: 'shop', name: 'db' },
      patch: { metadata: { labels: { [JOB_LABEL]: 'enabled' } } },
    },
  ]);
});

test("a deleted PVC's job is marked orphaned, reported, and deleted after the grace period", () => {
  const config = { ...defaultConfig, orphanGracePeriod: 60_000 };
  const fresh = decide(snapshotOf('shop', 'db', { jobs: [dbJob()], config }));
  assert.deepEqual(fresh.report.orphaned, ['backup-shop-db']);
  assert.equal(fresh.requeueAfter, 60_000);
  const [mark] = fresh.actions;
  assert.deepEqual(mark?.type === 'patch' && mark.patch, {
    metadata: { annotations: { [`${P}/orphaned-since`]: '2026-11-23T12:00:00Z' } },
  });
  assert.deepEqual(
    mark?.type === 'patch' && mark.event && [mark.event.type, mark.event.reason, mark.event.involvedObject.kind],
    ['Warning', 'BackupJobOrphaned', 'RecurringJob'],
  );

  const marked = job('backup-shop-db', managedLabels('shop', 'db'), {
    annotations: { [`${P}/orphaned-since`]: '2026-11-23T11:59:30Z' },
  });
  const waiting = decide(snapshotOf('shop', 'db', { jobs: [marked], config }));
  assert.deepEqual(waiting.actions, []);
  assert.deepEqual(waiting.report.orphaned, ['backup-shop-db']);
  assert.equal(waiting.requeueAfter, 30_000);

  const expired = decide(snapshotOf('shop', 'db', { jobs: [marked], config, now: new Date(NOW.getTime() + 30_000) }));
  assert.deepEqual(
    expired.actions.map((a) => [a.type, a.type === 'delete' && a.event?.reason]),
    [['delete', 'OrphanedBackupJobDeleted']],
  );
  assert.deepEqual(expired.report.orphaned, []);
});

test("a deleted PVC's job with archive labels is retained, not orphaned", () => {
  const archived = job('backup-shop-db', managedLabels('shop', 'db', { [`${P}/archive`]: 'true' }));
  const result = decide(snapshotOf('shop', 'db', { jobs: [archived] }));
  assert.deepEqual(writes(result.actions), []);
  assert.deepEqual(result.report.retained, ['backup-shop-db']);
  assert.deepEqual(result.report.orphaned, []);
});

test('a PVC that comes back before the grace period ends clears the mark and keeps its job', () => {
  const marked = job('backup-shop-db', managedLabels('shop', 'db'), {
    annotations: { [`${P}/orphaned-since`]: '2026-11-23T11:00:00Z' },
  });
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', named('db'), { volumeName: 'pvc-1' })],
      volumes: [volume('pvc-1', { [JOB_LABEL]: 'enabled' })],
      jobs: [marked],
    }),
  );
  assert.deepEqual(
    result.actions.map((a) => a.type === 'patch' && a.patch),
    [{ metadata: { annotations: { [`${P}/orphaned-since`]: null } } }],
  );
  assert.deepEqual(result.report.orphaned, []);
});

test("another PVC wanting an orphan's job name takes the job over", () => {
  const marked = job('backup-shop-db', managedLabels('shop', 'old'), {
    annotations: { [`${P}/orphaned-since`]: '2026-11-23T11:00:00Z' },
  });
  const result = decide(
    snapshotOf('shop', 'restored', { pvcs: [pvc('shop', 'restored', named('db'))], jobs: [marked] }),
  );
  const [adopt] = result.actions;
  assert.deepEqual(adopt?.type === 'patch' && adopt.patch, {
    metadata: { labels: { [`${P}/source-pvc`]: 'restored' }, annotations: { [`${P}/orphaned-since`]: null } },
  });
  assert.equal(adopt?.type === 'patch' && adopt.event?.reason, 'BackupJobAdopted');
});

test('a namespace out of scope is never acted on, even when its jobs look orphaned', () => {
  const config = { ...defaultConfig, excludedNamespaces: ['shop'] };
  assert.deepEqual(decide(snapshotOf('shop', 'db', { jobs: [dbJob()], config })).actions, []);
  const watched = { ...defaultConfig, watchNamespaces: ['other'] };
  assert.deepEqual(decide(snapshotOf('shop', 'db', { jobs: [dbJob()], config: watched })).actions, []);
});

test('a changed default reaches a default-using PVC but not one with its own label', () => {
  const config = { ...defaultConfig, defaults: { ...defaultConfig.defaults, interval: 6 as const } };
  const byDefault = decide(
    snapshotOf('shop', 'db', { pvcs: [pvc('shop', 'db', named('db'))], jobs: [dbJob()], config }),
  );
  const [patch] = byDefault.actions;
  assert.deepEqual(patch?.type === 'patch' && patch.patch, { spec: { cron: '30 0,6,12,18 * * *' } });
  const explicit = job('backup-shop-db', managedLabels('shop', 'db'));
  const own = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pvc('shop', 'db', named('db', { [`${P}/interval`]: '4' }))],
      jobs: [explicit],
      config,
    }),
  );
  assert.ok(!own.actions.some((a) => a.type === 'patch'));
});

test("a long PVC name shortened in the job label: the alias key does not orphan the living PVC's job", () => {
  const longName = `data-${'x'.repeat(70)}`;
  const label = sourcePvcLabelValue(longName);
  const owned = job('backup-shop-db', managedLabels('shop', label));
  const world = { pvcs: [pvc('shop', longName, named('db'))], jobs: [owned] };
  assert.deepEqual(decide(snapshotOf('shop', label, world)).actions, []);
  assert.deepEqual(decide(snapshotOf('shop', longName, world)).report.managed, ['backup-shop-db']);
});

test("the archive of a deleted PVC reads its recorded Volume through volumeNamed (the reconciler's Volume cache)", () => {
  const annotations = {
    [`${P}/archive-volume`]: 'vol-db',
    [`${P}/archive-pvc`]: 'db',
    [`${P}/archive-pvc-uid`]: 'uid-shop-db',
    [`${P}/archive-attempt`]: '1',
    [`${P}/archive-attempt-started-at`]: '2026-11-23T11:59:00Z',
  };
  const archiving = job(
    'backup-shop-db',
    managedLabels('shop', 'db', { [`${P}/archive`]: 'true', [`${P}/archive-delete-after`]: '2099-12-31' }),
    { annotations },
  );
  const reasons = (volumes: ReturnType<typeof volume>[]) =>
    events(decide(snapshotOf('shop', 'db', { jobs: [archiving], volumes })).actions).map((e) => e.reason);
  assert.deepEqual(
    reasons([volume('vol-db')]),
    ['BackupJobRetained', 'ArchiveSnapshotCreated'],
    'the Volume is found by name although no PVC names it any more',
  );
  assert.deepEqual(reasons([volume('vol-other')]), ['BackupJobRetained', 'ArchiveVolumeGone']);
});
