// Everything wrong with a Longhorn-backed PVC: its own labels, a name another PVC of the
// namespace also claims, and a job name taken by a job that is not its own.

import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { BackupIntent, IntentResult } from '@longhorn-backup-guard/shared/intent/backup-intent';
import { suggestBackupName } from '@longhorn-backup-guard/shared/intent/backup-name-rule';
import {
  duplicateNameViolation,
  nameClaimOf,
  type NameClaim,
} from '@longhorn-backup-guard/shared/intent/duplicate-names';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { labelViolation } from '@longhorn-backup-guard/shared/intent/violation';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import { jobNameFor } from '@longhorn-backup-guard/shared/intent/job-name';
import { managedJobSource } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import { intentOf } from '../model/intent-of.ts';
import type { ReportedViolation } from '../model/key-report.ts';
import { isLonghornBacked } from '../model/longhorn-backed.ts';
import { JOB_NAME_CONFLICT } from './reconciler-conditions.ts';
import type { PvcWithBinding, ReconcileSnapshot } from '../model/reconcile-snapshot.ts';

/** The claim of a namespace PVC that counts (a Longhorn-backed PVC's), or null. */
function countedClaim(snapshot: ReconcileSnapshot, other: PvcWithBinding): NameClaim | null {
  const claim = nameClaimOf(intentOf(other.pvc, snapshot.config));
  if (claim === null) return null;
  const binding = () => other.binding;
  return isLonghornBacked(other.pvc, snapshot.storageClasses, binding, snapshot.config.provisioner) ? claim : null;
}

/** The job names claimed by the Longhorn-backed PVCs of the snapshot's namespace. */
function namespaceClaims(snapshot: ReconcileSnapshot): NameClaim[] {
  return snapshot.namespacePvcs().flatMap((other) => countedClaim(snapshot, other) ?? []);
}

/**
 * The claims the duplicate-name check needs for `result`: none when no other PVC of the namespace
 * claims its name (the usual case, found without building the namespace's list of claims), else
 * the whole namespace's (the violation suggests a name free among them).
 */
export function claimsToCompare(snapshot: ReconcileSnapshot, result: IntentResult): readonly NameClaim[] {
  const claim = nameClaimOf(result);
  if (claim === null) return [];
  // The PVCs that claim the same name come from an index; whether one is Longhorn-backed (its
  // StorageClass, perhaps its binding) is read only for those.
  const rival = snapshot
    .claimants(claim.name)
    .some((other) => other.pvc.metadata?.name !== claim.pvcName && countedClaim(snapshot, other) !== null);
  return rival ? namespaceClaims(snapshot) : [];
}

/** The label violations and the duplicate-name violation of a parsed PVC. */
export function labelViolations(
  result: IntentResult,
  claims: readonly NameClaim[],
  config: GuardConfig,
): ReportedViolation[] {
  const own = result.kind === 'invalid' ? [...result.violations] : [];
  const claim = nameClaimOf(result);
  const duplicate = claim === null ? null : duplicateNameViolation(result.namespace, claim, claims, config.labelPrefix);
  return duplicate === null ? own : [...own, duplicate];
}

/** A name whose job is free, to suggest; null when none is found. */
function freeName(intent: BackupIntent, jobNamed: (name: string) => RecurringJob | undefined): string | null {
  for (let n = 2; n < 10; n++) {
    const base = suggestBackupName(intent.name, intent.namespace, String(n).length + 1);
    if (base === null) return null;
    if (jobNamed(jobNameFor(intent.namespace, `${base}-${n}`)) === undefined) return `${base}-${n}`;
  }
  return null;
}

function ownerOf(job: RecurringJob, config: GuardConfig): string {
  const source = managedJobSource(job, config);
  if (source === null) {
    return `already exists in namespace "${config.longhornNamespace}" and was not created by longhorn-backup-guard (manual jobs are never changed)`;
  }
  const archived = job.metadata.labels?.[backupLabelKeys(config.labelPrefix).archive] === 'true';
  const kept = archived ? ', kept as the archive of that PVC' : '';
  return `already backs up PVC "${source.pvcLabel}" in namespace "${source.namespace}"${kept}`;
}

/** The `job_name_conflict` violation for a desired job name held by `holder`, another's job. */
export function jobNameConflict(
  intent: BackupIntent,
  holder: RecurringJob,
  snapshot: ReconcileSnapshot,
): ReportedViolation {
  const { config } = snapshot;
  const violation = labelViolation(backupLabelKeys(config.labelPrefix).name, intent.name, {
    // labelViolation formats the message; the condition is replaced by the reconciler's own below.
    condition: 'duplicate_name',
    reason: `gives the job name ${intent.jobName}, which ${ownerOf(holder, config)}`,
    allowed: 'job names are backup-<namespace>-<name>, so choose a name whose job is free, or remove that job',
    example: freeName(intent, snapshot.jobNamed),
  });
  return { condition: JOB_NAME_CONFLICT, message: violation.message };
}
