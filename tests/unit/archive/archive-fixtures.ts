// A small world for the archive workflow's decision: one PVC key, its job, its volume and the
// Longhorn objects, turned into an ArchiveContext as the reconciler would build it. `apply` plays
// the executor (creates, job annotation patches) and `longhorn` plays Longhorn (statuses).
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { Backup, RecurringJob, Snapshot, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import { desiredRecurringJob } from '@longhorn-backup-guard/shared/recurring-job/desired-recurring-job';
import { isJobOfPvc } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import { intentOf } from '@longhorn-backup-guard/reconciler/model/intent-of';
import type { Action } from '@longhorn-backup-guard/reconciler/model/actions';
import type { ArchiveContext, ArchiveOutcome } from '@longhorn-backup-guard/reconciler/model/archive-contract';
import { ARCHIVE_WATCHES } from '@longhorn-backup-guard/reconciler/archive/archive-watches';

export const P = 'backup.vluwte.nl';
export const LH = 'longhorn-system';
export const T0 = new Date('2026-11-23T12:00:00Z');
export const UID = '6f1c2a7e-0000-4000-8000-000000000001';
export const VOLUME = 'grafana-restored-vol';
export const JOB = 'backup-shop-db';

export interface World {
  readonly config: GuardConfig;
  readonly now: Date;
  readonly pvc: V1PersistentVolumeClaim | undefined;
  readonly job: RecurringJob | undefined;
  readonly volumes: readonly Volume[];
  readonly snapshots: readonly Snapshot[];
  readonly backups: readonly Backup[];
}

export function archiveLabels(date = '2027-01-31'): Record<string, string> {
  return { [`${P}/archive`]: 'true', [`${P}/archive-delete-after`]: date };
}

export function pvcOf(
  labels: Record<string, string>,
  options: { uid?: string; volumeName?: string | null } = {},
): V1PersistentVolumeClaim {
  const volumeName = options.volumeName === undefined ? VOLUME : options.volumeName;
  return {
    metadata: { namespace: 'shop', name: 'db', uid: options.uid ?? UID, labels },
    spec: { storageClassName: 'longhorn', ...(volumeName === null ? {} : { volumeName }) },
  };
}

export const optedIn = (extra: Record<string, string> = {}) => ({
  [`${P}/enabled`]: 'true',
  [`${P}/name`]: 'db',
  ...extra,
});

/** The job the reconciler keeps for the PVC's labels (archive labels included while asked for). */
export function jobFor(
  pvc: V1PersistentVolumeClaim,
  config: GuardConfig = defaultConfig,
  annotations: Record<string, string> = {},
): RecurringJob {
  const result = intentOf(pvc, config);
  if (result.kind !== 'opted-in') throw new Error('jobFor needs an opted-in PVC');
  const desired = desiredRecurringJob(result.intent, config);
  return { ...desired, metadata: { ...desired.metadata, uid: 'job-uid', resourceVersion: '1', annotations } };
}

export function volumeOf(name = VOLUME, pvcName = 'db'): Volume {
  return { metadata: { name, namespace: LH }, status: { kubernetesStatus: { namespace: 'shop', pvcName } } };
}

/** The opted-in, archiving PVC with its job and volume, nothing made yet. */
export function archivingWorld(overrides: Partial<World> = {}): World {
  const pvc = pvcOf(optedIn(archiveLabels()));
  return {
    config: defaultConfig,
    now: T0,
    pvc,
    job: jobFor(pvc),
    volumes: [volumeOf()],
    snapshots: [],
    backups: [],
    ...overrides,
  };
}

export function contextOf(world: World): ArchiveContext {
  const { config, pvc, job } = world;
  const key = { namespace: 'shop', pvcName: 'db' };
  const mine = (plural: string, objects: readonly unknown[]) => {
    const watch = ARCHIVE_WATCHES.find((w) => w.plural === plural);
    return objects.filter((object) =>
      watch?.keysOf(object, config).some((k) => k.namespace === key.namespace && k.pvcName === key.pvcName),
    );
  };
  const volumeName = pvc?.spec?.volumeName;
  return {
    key,
    pvc,
    intent: pvc === undefined ? undefined : intentOf(pvc, config),
    jobName: job?.metadata.name,
    job,
    managedJobs: job !== undefined && isJobOfPvc(job, 'shop', 'db', config) ? [job] : [],
    volume: volumeName === undefined ? undefined : world.volumes.find((v) => v.metadata.name === volumeName),
    volumeNamed: (name) => world.volumes.find((v) => v.metadata.name === name),
    watched: new Map([
      ['snapshots', mine('snapshots', world.snapshots)],
      ['backups', mine('backups', world.backups)],
    ]),
    config,
    now: world.now,
  };
}

function mergeMap(
  current: Record<string, string> | undefined,
  patch: Record<string, string | null>,
): Record<string, string> {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/**
 * The world after the executor ran `actions` (creates are stamped with the world's clock; an
 * existing name is a 409 and stops the rest).
 */
export function apply(world: World, actions: readonly Action[]): World {
  let next = world;
  for (const action of actions) {
    if (action.type === 'create') {
      const stamped = {
        ...(action.body as Snapshot),
        metadata: { ...(action.body as Snapshot).metadata, creationTimestamp: next.now.toISOString() },
      };
      const list = action.target.resource === 'snapshots' ? next.snapshots : next.backups;
      if (list.some((o) => o.metadata.name === action.target.name)) return next;
      next =
        action.target.resource === 'snapshots'
          ? { ...next, snapshots: [...next.snapshots, stamped] }
          : { ...next, backups: [...next.backups, stamped] };
    } else if (action.type === 'patch' && action.target.resource === 'recurringjobs' && next.job !== undefined) {
      const patch = (action.patch as { metadata: { annotations: Record<string, string | null> } }).metadata.annotations;
      next = {
        ...next,
        job: {
          ...next.job,
          metadata: { ...next.job.metadata, annotations: mergeMap(next.job.metadata.annotations, patch) },
        },
      };
    } else if (action.type !== 'event') {
      throw new Error(`the archive workflow wrote something unexpected: ${JSON.stringify(action)}`);
    }
  }
  return next;
}

/** Longhorn sets a status on the named Snapshot or Backup. */
export function longhorn(
  world: World,
  kind: 'snapshots' | 'backups',
  name: string,
  status: Record<string, unknown>,
): World {
  const update = <T extends Snapshot | Backup>(list: readonly T[]) =>
    list.map((o) => (o.metadata.name === name ? { ...o, status: { ...o.status, ...status } } : o));
  return kind === 'snapshots'
    ? { ...world, snapshots: update(world.snapshots) }
    : { ...world, backups: update(world.backups) };
}

export function later(world: World, ms: number): World {
  return { ...world, now: new Date(world.now.getTime() + ms) };
}

export function writes(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => (a.type === 'event' ? [] : [`${a.type} ${a.target.resource}/${a.target.name}`]));
}

export function reasons(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => (a.type === 'event' ? [a.event.reason] : a.event ? [a.event.reason] : []));
}

export function messages(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => (a.type === 'event' ? [a.event.message] : a.event ? [a.event.message] : []));
}

export function flags(outcome: ArchiveOutcome): string {
  const { report } = outcome;
  return [
    report.archiveReady?.length ? 'ready' : '',
    report.archiveFailed?.length ? 'failed' : '',
    report.archiveExpired?.length ? 'expired' : '',
  ]
    .filter(Boolean)
    .join(',');
}
