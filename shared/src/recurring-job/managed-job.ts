// Ownership of RecurringJobs: `<p>/managed=true` marks the jobs this product may touch (manually
// created jobs never carry it), `<p>/source-namespace` and `<p>/source-pvc` name the PVC.

import type { GuardConfig } from '../config/guard-config.ts';
import { backupLabelKeys } from '../intent/label-keys.ts';
import type { RecurringJob } from '../longhorn/types.ts';
import { LABEL_VALUE_MAX_LENGTH } from '../names/kubernetes-names.ts';
import { shortHash } from '../text/short-hash.ts';

export function isManagedJob(job: RecurringJob, config: GuardConfig): boolean {
  return job.metadata.labels?.[backupLabelKeys(config.labelPrefix).managed] === 'true';
}

/**
 * The `<p>/source-pvc` value for a PVC. A PVC name may be up to 253 characters but a label value
 * only 63: a longer name is cut to 54 and tagged with a hash of the whole name, so compare
 * through this function (or `isJobOfPvc`), never against the raw PVC name.
 */
export function sourcePvcLabelValue(pvcName: string): string {
  if (pvcName.length <= LABEL_VALUE_MAX_LENGTH) return pvcName;
  return `${pvcName.slice(0, LABEL_VALUE_MAX_LENGTH - 9)}-${shortHash(pvcName)}`;
}

/** The ownership labels of the job for this PVC. */
export function ownershipLabels(namespace: string, pvcName: string, config: GuardConfig): Record<string, string> {
  const keys = backupLabelKeys(config.labelPrefix);
  return { [keys.managed]: 'true', [keys.sourceNamespace]: namespace, [keys.sourcePvc]: sourcePvcLabelValue(pvcName) };
}

/** The source labels of a managed job (the PVC value possibly shortened), or null when not managed. */
export function managedJobSource(
  job: RecurringJob,
  config: GuardConfig,
): { readonly namespace: string; readonly pvcLabel: string } | null {
  const keys = backupLabelKeys(config.labelPrefix);
  const labels = job.metadata.labels ?? {};
  const namespace = labels[keys.sourceNamespace];
  const pvcLabel = labels[keys.sourcePvc];
  if (!isManagedJob(job, config) || namespace === undefined || pvcLabel === undefined) return null;
  return { namespace, pvcLabel };
}

/** Whether this managed job was made for that PVC. */
export function isJobOfPvc(job: RecurringJob, namespace: string, pvcName: string, config: GuardConfig): boolean {
  const source = managedJobSource(job, config);
  return source !== null && source.namespace === namespace && source.pvcLabel === sourcePvcLabelValue(pvcName);
}
