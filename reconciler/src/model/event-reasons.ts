// Event reasons (CamelCase, as `kubectl describe` shows them). Stable: people grep for them.

export const EVENT_REASONS = {
  jobCreated: 'BackupJobCreated',
  jobUpdated: 'BackupJobUpdated',
  jobAdopted: 'BackupJobAdopted',
  jobRenamed: 'BackupJobRenamed',
  jobRetained: 'BackupJobRetained',
  jobRefused: 'BackupJobRefused',
  volumeLabelled: 'BackupVolumeLabelled',
  waitingForVolume: 'WaitingForVolume',
  disabled: 'BackupDisabled',
  jobOrphaned: 'BackupJobOrphaned',
  orphanDeleted: 'OrphanedBackupJobDeleted',
  labelsIgnored: 'BackupLabelsIgnored',
  invalidLabels: 'InvalidBackupLabels',
  missingLabels: 'MissingBackupLabels',
  duplicateName: 'DuplicateBackupName',
  jobNameConflict: 'BackupJobNameConflict',
  writeRefused: 'BackupWriteRefused',
  volumeNotBound: 'VolumeNotBoundToPvc',
  policyJoined: 'BackupPolicyJoined',
  policyJobCreated: 'PolicyJobCreated',
  policyJobUpdated: 'PolicyJobUpdated',
  policyJobDeleted: 'PolicyJobDeleted',
  policyJobConflict: 'PolicyJobNameConflict',
  policyRemovedInUse: 'PolicyRemovedWhileInUse',
  groupOrphaned: 'PolicyGroupOrphaned',
  groupRemoved: 'OrphanedPolicyGroupRemoved',
} as const;

const MISSING = ['missing_enabled_label', 'missing_name', 'archive_without_delete_after'];

/** The reason of the Warning Event that reports a violation. */
export function violationReason(condition: string): string {
  if (condition === 'duplicate_name') return EVENT_REASONS.duplicateName;
  if (condition === 'job_name_conflict') return EVENT_REASONS.jobNameConflict;
  if (condition === 'volume_not_bound_to_pvc') return EVENT_REASONS.volumeNotBound;
  return MISSING.includes(condition) ? EVENT_REASONS.missingLabels : EVENT_REASONS.invalidLabels;
}
