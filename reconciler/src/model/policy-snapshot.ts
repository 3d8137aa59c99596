// Everything the decision about the policies' shared jobs reads, taken from the caches at one
// moment. The policies are one work item (POLICY_JOBS_KEY), not one per PVC: 5,000 PVCs on a
// policy share its jobs.

import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { RecurringJob, Volume } from '@longhorn-backup-guard/shared/longhorn/types';

/** The work-queue key of the policies' jobs and group labels (no PVC key has no slash). */
export const POLICY_JOBS_KEY = 'policies';

export interface GroupVolume {
  readonly volume: Volume;
  /** An existing PVC is Bound to it (verified as for any PVC, volume-binding.ts). */
  readonly bound: boolean;
}

export interface PolicySnapshot {
  readonly config: GuardConfig;
  readonly now: Date;
  /** The managed RecurringJobs that are a policy's (`<p>/source-policy`). */
  readonly policyJobs: readonly RecurringJob[];
  /** Any RecurringJob of the Longhorn namespace by name. */
  readonly jobNamed: (name: string) => RecurringJob | undefined;
  /** By policy name, the PVCs (`namespace/name`) in scope that ask for it and are not opted out. */
  readonly users: ReadonlyMap<string, readonly string[]>;
  /** The Volumes that carry a policy group label. */
  readonly groupVolumes: readonly GroupVolume[];
}
