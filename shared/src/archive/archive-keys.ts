// The annotation and label keys of the archive workflow (declared in the label schema). Its state
// lives in annotations on the PVC's RecurringJob (the job outlives the PVC, so the workflow can
// finish and be reported after the PVC is deleted); its Snapshots and Backups carry labels linking
// them to the job and the PVC. The reconciler writes them; the webhook reads whether an archive
// completed.

import { groupKeys, type GroupKeys } from '../intent/label-schema.ts';

export type ArchiveKeys = GroupKeys<'archive'>;

export function archiveKeys(prefix: string): ArchiveKeys {
  return groupKeys('archive', prefix);
}
