// Conditions only the reconciler can see, beside the shared model's (which the webhook shares).
// Like those, the codes are a stable API: alert rules match on them.

/**
 * The desired job name is taken by a job that is not this PVC's: a manual job, or the job of a
 * PVC in another namespace (`backup-a-b-c` is namespace `a` name `b-c` and namespace `a-b` name
 * `c`, which no per-namespace duplicate check can see), or a deleted PVC's job kept for its archive.
 */
export const JOB_NAME_CONFLICT = 'job_name_conflict';
