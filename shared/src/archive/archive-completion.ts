// Whether a RecurringJob records a completed archive of one PVC: a full Backup the reconciler saw
// Completed for that PVC's uid (a later PVC of the same name has another uid), and a request that
// was not withdrawn since (removing `<p>/archive` stops the archive; the reconciler then treats the
// record as no longer current and starts afresh when asked again).

import type { RecurringJob } from '../longhorn/types.ts';
import { readArchiveRecord, type ArchiveResult } from './archive-record.ts';

export function completedArchiveOf(job: RecurringJob, pvcUid: string, prefix: string): ArchiveResult | undefined {
  if (pvcUid === '') return undefined;
  const record = readArchiveRecord(job, prefix);
  if (record === null || record.withdrawn || record.pvcUid !== pvcUid) return undefined;
  return record.result;
}
