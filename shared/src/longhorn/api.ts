// Where Longhorn's objects live in the API, and the label keys Longhorn itself reads.

export const LONGHORN_GROUP = 'longhorn.io';
export const LONGHORN_VERSION = 'v1beta2';
export const LONGHORN_API_VERSION = `${LONGHORN_GROUP}/${LONGHORN_VERSION}`;

export const LONGHORN_PLURALS = {
  recurringJob: 'recurringjobs',
  volume: 'volumes',
  snapshot: 'snapshots',
  backup: 'backups',
  backupVolume: 'backupvolumes',
  backupTarget: 'backuptargets',
  setting: 'settings',
} as const;

/** The only value of a job/group label that makes a volume run the job. */
export const LONGHORN_LABEL_ENABLED = 'enabled';

/** On a Volume (or a source PVC): run this RecurringJob. */
export function recurringJobLabelKey(jobName: string): string {
  return `recurring-job.longhorn.io/${jobName}`;
}

/** On a Volume: run every job of this group (Longhorn adds `default` to unlabelled volumes). */
export function recurringJobGroupLabelKey(group: string): string {
  return `recurring-job-group.longhorn.io/${group}`;
}

/** On a PVC, value `enabled`: the PVC's job labels are the truth for its volume (Longhorn >= 1.5). */
export const PVC_SOURCE_LABEL_KEY = 'recurring-job.longhorn.io/source';
