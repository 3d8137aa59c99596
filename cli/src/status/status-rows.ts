// `status`: one row per Longhorn-backed PVC, from what could be read of the cluster. Pure. What
// could not be read (a namespace-scoped user sees no RecurringJobs, Volumes or StorageClasses)
// shows as "unknown" or "-", never as a guess.

import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { completedArchiveOf } from '@longhorn-backup-guard/shared/archive/archive-completion';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import {
  describeSchedule,
  describeScheduleBriefly,
} from '@longhorn-backup-guard/shared/recurring-job/describe-schedule';
import {
  backupHealthKeys,
  isBackupHealthState,
  parseBackupHealthSummary,
  type BackupHealthSummary,
} from '@longhorn-backup-guard/shared/health/health-summary';
import { isArchiveExpired } from '@longhorn-backup-guard/shared/intent/archive-expiry';
import { isBackupLabelKey } from '@longhorn-backup-guard/shared/intent/label-keys';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';
import type { RecurringJob, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import { policyNamed } from '@longhorn-backup-guard/shared/policy/backup-policy';
import {
  describePolicySchedule,
  describePolicyScheduleBriefly,
} from '@longhorn-backup-guard/shared/recurring-job/policy-job';
import { jobNameFor } from '@longhorn-backup-guard/shared/intent/job-name';
import { storageBackingOf, type StorageClassLike } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import type { PvcLike } from '@longhorn-backup-guard/webhook/admission/pvc-object';
import { judgePvc } from '@longhorn-backup-guard/webhook/decide/pvc-verdict';
import { listedPvcs } from '@longhorn-backup-guard/webhook/decide/namespace-pvcs';
import {
  boundVolume,
  hasLonghornPv,
  resolveVolumeBinding,
  type VolumeBinding,
} from '@longhorn-backup-guard/shared/storage/volume-binding';

export interface StatusPvc extends PvcLike {
  readonly metadata: NonNullable<PvcLike['metadata']>;
  readonly spec?: { readonly storageClassName?: string | null; readonly volumeName?: string };
  readonly status?: { readonly phase?: string };
}

/** What could be read; null where the user may not read it (or it failed), with a note why. */
export interface ClusterSnapshot {
  readonly config: GuardConfig;
  readonly pvcs: readonly StatusPvc[];
  readonly storageClasses: readonly StorageClassLike[] | null;
  readonly jobs: readonly RecurringJob[] | null;
  readonly volumes: readonly Volume[] | null;
  /** PersistentVolumes: which Volume a PVC is bound to (shared volume-binding.ts, as the reconciler). */
  readonly pvs: readonly V1PersistentVolume[] | null;
  readonly now: Date;
}

export type HealthCell = BackupHealthSummary['state'] | '-';

export interface StatusRow {
  readonly namespace: string;
  readonly pvc: string;
  /** The job when protected, else why not (`no: enabled=false`, …). */
  readonly protection: string;
  readonly job: string | null;
  readonly schedule: string;
  readonly scheduleInFull: string;
  readonly retain: string;
  /** RFC 3339, or null when unknown. */
  readonly lastBackupAt: string | null;
  /** Where lastBackupAt came from. */
  readonly lastBackupFrom: 'health-summary' | 'volume' | null;
  readonly health: HealthCell;
  readonly healthSince: string | null;
  readonly healthReason: string | null;
  readonly violations: readonly string[];
  readonly archive: string;
  readonly storageClass: string;
  readonly volume: string;
}

/** Worst first: what needs a person now, then what is not protected, then the fine ones. */
function severity(row: StatusRow): number {
  if (row.health === 'failing') return 0;
  if (row.violations.some((code) => code !== 'missing_enabled_label')) return 1;
  if (row.health === 'stale') return 2;
  if (row.violations.length > 0) return 3;
  // Backed up by a job of its own or a policy's (whose health is recorded on the Volume).
  const backedUp = row.job !== null || row.health !== '-';
  if (backedUp && row.health !== 'healthy') return 4;
  if (backedUp) return 5;
  return 6;
}

export function sortWorstFirst(rows: readonly StatusRow[]): StatusRow[] {
  return [...rows].sort(
    (a, b) => severity(a) - severity(b) || a.namespace.localeCompare(b.namespace) || a.pvc.localeCompare(b.pvc),
  );
}

function isLonghornBacked(pvc: StatusPvc, snapshot: ClusterSnapshot, binding: VolumeBinding): boolean {
  if (hasLonghornPv(binding)) return true;
  const backing = storageBackingOf(pvc, snapshot.storageClasses ?? [], snapshot.config.provisioner);
  if (backing.kind !== 'unknown') return backing.kind === 'longhorn';
  // The class cannot be told: shown when it carries backup labels (it means to be backed up).
  return Object.keys(pvc.metadata.labels ?? {}).some((key) => isBackupLabelKey(key, snapshot.config.labelPrefix));
}

function archiveCell(
  pvc: StatusPvc,
  deleteAfter: string | undefined,
  job: RecurringJob | undefined,
  snapshot: ClusterSnapshot,
): string {
  if (deleteAfter === undefined) return '-';
  const expired = isArchiveExpired({ deleteAfter }, snapshot.now);
  if (job !== undefined && completedArchiveOf(job, pvc.metadata.uid ?? '', snapshot.config.labelPrefix) !== undefined)
    return expired ? `expired (${deleteAfter})` : `ready (until ${deleteAfter})`;
  return snapshot.jobs === null ? `requested (until ${deleteAfter})` : `in progress (until ${deleteAfter})`;
}

export function statusRows(snapshot: ClusterSnapshot): StatusRow[] {
  const { config } = snapshot;
  const volumes = new Map((snapshot.volumes ?? []).map((volume) => [volume.metadata.name ?? '', volume]));
  const pvs = new Map((snapshot.pvs ?? []).map((pv) => [pv.metadata?.name ?? '', pv]));
  const lookups = { pvNamed: (name: string) => pvs.get(name), volumeNamed: (name: string) => volumes.get(name) };
  // Only a Volume the PVC is really bound to counts (never one its spec.volumeName merely names).
  const bindings = new Map(
    snapshot.pvcs.map((pvc) => [
      pvc,
      resolveVolumeBinding(pvc as V1PersistentVolumeClaim, lookups, config.provisioner),
    ]),
  );
  const bindingOf = (pvc: StatusPvc): VolumeBinding => bindings.get(pvc) ?? { kind: 'unbound' };
  const jobs = snapshot.jobs === null ? null : new Map(snapshot.jobs.map((job) => [job.metadata.name ?? '', job]));
  const healthKeys = backupHealthKeys(config.labelPrefix);
  const shown = snapshot.pvcs.filter(
    (pvc) =>
      isNamespaceInScope(config, pvc.metadata.namespace ?? '') && isLonghornBacked(pvc, snapshot, bindingOf(pvc)),
  );
  const byNamespace = Map.groupBy(snapshot.pvcs, (pvc) => pvc.metadata.namespace ?? '');

  return shown.map((pvc): StatusRow => {
    const namespace = pvc.metadata.namespace ?? '';
    const name = pvc.metadata.name ?? '';
    const result = parseIntent({ namespace, name, labels: pvc.metadata.labels ?? {} }, config);
    const context = {
      config,
      namespacePvcs: listedPvcs(byNamespace.get(namespace) ?? []),
      storageClasses: snapshot.storageClasses ?? [],
      namespaceJobs: [],
      namespaceStatefulSets: [],
      namespaceLabels: null,
      now: snapshot.now,
    };
    const verdict = judgePvc(namespace, name, pvc, context);
    const violations = [
      ...new Set([
        ...verdict.refused.map((violation) => violation.condition),
        ...(result.kind === 'invalid' && result.violations.some((v) => v.condition === 'missing_enabled_label')
          ? ['missing_enabled_label']
          : []),
      ]),
    ];
    // A PVC on a policy has no job of its own: its policy's shared jobs back it up.
    const policy =
      result.kind === 'opted-in' && result.intent.policy !== null
        ? policyNamed(config.policies, result.intent.policy)
        : undefined;
    const jobName =
      policy !== undefined
        ? null
        : result.kind === 'opted-in'
          ? result.intent.jobName
          : result.kind === 'invalid' && result.name !== null && result.enabled === true
            ? jobNameFor(namespace, result.name)
            : null;
    const job = jobName === null ? undefined : jobs?.get(jobName);
    const volume = boundVolume(bindingOf(pvc));
    // The reconciler records a policy PVC's health on its Volume, a labelled PVC's on its job.
    const healthHolder = policy !== undefined ? volume : job;
    const summary = parseBackupHealthSummary(healthHolder?.metadata.annotations?.[healthKeys.summary]);
    const stateLabel = healthHolder?.metadata.labels?.[healthKeys.state];
    // A job is expected for a PVC without violations; one kept from before the labels went bad counts too.
    const expectsJob = jobName !== null && (violations.length === 0 || job !== undefined);
    const policyJobsMissing =
      policy !== undefined && jobs !== null && policy.schedules.some((schedule) => !jobs.has(schedule.jobName));
    // Without its jobs (or with its labels refused) nothing is assessed; unbound reads as unknown, as for a job.
    const expectsRecord = policy !== undefined ? violations.length === 0 && !policyJobsMissing : expectsJob;
    const health: HealthCell =
      !expectsRecord || (policy === undefined && jobs !== null && job === undefined)
        ? '-'
        : isBackupHealthState(stateLabel)
          ? stateLabel
          : 'unknown';
    const lastBackupAt = summary?.lastSuccessAt ?? (volume?.status?.lastBackupAt || null);
    const settings = result.kind === 'opted-in' ? result.intent.settings : null;

    let protection: string;
    if (result.kind === 'opted-out') protection = `no: ${config.labelPrefix}/enabled=false`;
    else if (violations.includes('missing_enabled_label')) protection = `no: ${config.labelPrefix}/enabled missing`;
    else if (violations.length > 0) {
      const why = violations.every((code) => code === 'duplicate_name')
        ? 'name also used by another PVC'
        : 'invalid labels';
      protection = job === undefined ? `no: ${why}` : `${jobName ?? ''} (kept; ${why})`;
    } else if (policy !== undefined) {
      protection = `policy ${policy.name}${policyJobsMissing ? ' (jobs not created yet)' : ''}`;
    } else if (jobs !== null && job === undefined) protection = `${jobName ?? ''} (not created yet)`;
    else protection = jobName ?? '-';

    const deleteAfter =
      result.kind === 'opted-in'
        ? result.intent.archive?.deleteAfter
        : result.kind === 'opted-out'
          ? result.archive?.deleteAfter
          : undefined;
    return {
      namespace,
      pvc: name,
      protection,
      job: violations.length === 0 && jobName !== null ? jobName : (job?.metadata.name ?? null),
      schedule:
        policy !== undefined
          ? policy.schedules.map(describePolicyScheduleBriefly).join(' + ')
          : settings === null
            ? '-'
            : describeScheduleBriefly(settings.start, settings.interval),
      scheduleInFull:
        policy !== undefined
          ? policy.schedules.map((schedule) => `${schedule.jobName}: ${describePolicySchedule(schedule)}`).join('; ')
          : settings === null
            ? '-'
            : describeSchedule(settings.start, settings.interval),
      retain:
        policy !== undefined
          ? policy.schedules.map((schedule) => String(schedule.retain)).join('/')
          : settings === null
            ? '-'
            : String(settings.retain),
      lastBackupAt,
      lastBackupFrom: summary?.lastSuccessAt !== undefined ? 'health-summary' : lastBackupAt !== null ? 'volume' : null,
      health,
      healthSince: summary?.since ?? null,
      healthReason: summary?.reason ?? null,
      violations,
      // A policy PVC asking for an archive has a job of its own for the archive's record.
      archive: archiveCell(
        pvc,
        deleteAfter,
        policy !== undefined && result.kind === 'opted-in' ? jobs?.get(result.intent.jobName) : job,
        snapshot,
      ),
      storageClass: pvc.spec?.storageClassName ?? '(default)',
      volume: pvc.spec?.volumeName ?? '-',
    };
  });
}
