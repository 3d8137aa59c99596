// The job name is also how the reconciler finds a PVC's job: `backup-<namespace>-<name>`.

/** Longhorn refuses a RecurringJob whose spec.name is longer than this. */
export const JOB_NAME_MAX_LENGTH = 40;

/** Longhorn's pattern for a RecurringJob's metadata.name. */
export const JOB_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]+$/;

export function jobNameFor(namespace: string, name: string): string {
  return `backup-${namespace}-${name}`;
}

/** How many characters a backup name may have in this namespace (may be 0 or negative). */
export function nameRoomInNamespace(namespace: string): number {
  return JOB_NAME_MAX_LENGTH - jobNameFor(namespace, '').length;
}
