// What is asked of the workflow. The job's archive labels are the request: the reconciler keeps
// them in line with an opted-in, valid PVC and they outlive the PVC. While the PVC exists its own
// `<p>/archive` label must also still say true (removing it withdraws the request, whatever the
// job says). A PVC that asks while its job cannot carry the request is told why.

import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { parseCalendarDate } from '@longhorn-backup-guard/shared/intent/calendar-date';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import { isJobOfPvc } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import type { ReportedViolation } from '../model/key-report.ts';
import type { ArchiveContext } from '../model/archive-contract.ts';

/** Reported (backup_pvc_violation) for `<p>/archive=true` on a PVC with `<p>/enabled=false`. */
export const ARCHIVE_WHILE_DISABLED = 'archive_while_disabled';

export type ArchiveRequest =
  /** Nothing asked (or the request was withdrawn). */
  | { readonly kind: 'none' }
  /** The PVC asks but the reconciler writes the job's archive labels in this very pass: wait. */
  | { readonly kind: 'pending' }
  /** The PVC asks but the archive cannot run: say why. */
  | {
      readonly kind: 'blocked';
      readonly pvc: V1PersistentVolumeClaim;
      readonly why: string;
      readonly violation?: ReportedViolation;
    }
  | { readonly kind: 'active'; readonly job: RecurringJob; readonly deleteAfter: string };

const NONE: ArchiveRequest = { kind: 'none' };

/** The archive date on the job, when it carries `<p>/archive=true` and a real date. */
function requestedOnJob(job: RecurringJob, prefix: string): string | undefined {
  const keys = backupLabelKeys(prefix);
  const labels = job.metadata.labels ?? {};
  const date = labels[keys.archiveDeleteAfter];
  return labels[keys.archive] === 'true' && date !== undefined && parseCalendarDate(date).ok ? date : undefined;
}

export function archiveRequestOf(ctx: ArchiveContext): ArchiveRequest {
  const { pvc, job, key, config } = ctx;
  const keys = backupLabelKeys(config.labelPrefix);
  const ownJob = job !== undefined && isJobOfPvc(job, key.namespace, key.pvcName, config) ? job : undefined;
  const deleteAfter = ownJob === undefined ? undefined : requestedOnJob(ownJob, config.labelPrefix);
  const active: ArchiveRequest | undefined =
    ownJob !== undefined && deleteAfter !== undefined ? { kind: 'active', job: ownJob, deleteAfter } : undefined;
  if (pvc === undefined) return active ?? NONE;
  if (pvc.metadata?.labels?.[keys.archive] !== 'true') return NONE;
  if (active !== undefined) return active;

  if (ctx.intent?.kind === 'opted-out') {
    const message = `${keys.archive}=true asks for an archive, but ${keys.enabled}=false: nothing is archived. An archive belongs to the PVC's backup job (which keeps it after the PVC is deleted), so set ${keys.enabled}=true and ${keys.name} to archive this PVC, or remove ${keys.archive}`;
    return { kind: 'blocked', pvc, why: message, violation: { condition: ARCHIVE_WHILE_DISABLED, message } };
  }
  if (ctx.intent?.kind === 'invalid') {
    return {
      kind: 'blocked',
      pvc,
      why: 'the archive has not started: the backup labels of this PVC are invalid (see its other Warning Events); it starts once they are fixed',
    };
  }
  if (job !== undefined && ownJob === undefined) {
    return {
      kind: 'blocked',
      pvc,
      why: `the archive has not started: RecurringJob ${job.metadata.name ?? ''} is not this PVC's job (job_name_conflict); it starts once the PVC has a job of its own`,
    };
  }
  return { kind: 'pending' };
}
