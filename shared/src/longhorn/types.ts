// Hand-written minimal shapes of the Longhorn v1beta2 objects this product reads and writes,
// matching crds-v1.12.1.yaml (fields also present in 1.11.3). Only what is used is typed; the
// objects carry more. Everything is optional as stored objects may lack any field.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
}

export type RecurringJobTask =
  | 'snapshot'
  | 'snapshot-force-create'
  | 'snapshot-cleanup'
  | 'snapshot-delete'
  | 'backup'
  | 'backup-force-create'
  | 'filesystem-trim'
  | 'system-backup';

export interface RecurringJobSpec {
  /** At most 40 characters; Longhorn's mutator fills in metadata.name when empty. */
  name?: string;
  task?: RecurringJobTask;
  /** Standard 5-field cron (robfig/cron v1 ParseStandard). */
  cron?: string;
  retain?: number;
  concurrency?: number;
  groups?: string[] | null;
  /** Put on every snapshot/backup the job makes. */
  labels?: Record<string, string> | null;
  /** For backup tasks: `full-backup-interval` (integer text) and `volume-backup-policy`. */
  parameters?: Record<string, string> | null;
}

export interface RecurringJobStatus {
  executionCount?: number;
  ownerID?: string;
}

export interface RecurringJob {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: RecurringJobSpec;
  status?: RecurringJobStatus;
}

export type VolumeState = 'creating' | 'attached' | 'detached' | 'attaching' | 'detaching' | 'deleting';
export type VolumeRobustness = 'healthy' | 'degraded' | 'faulted' | 'unknown';

export interface VolumeKubernetesStatus {
  namespace?: string;
  pvcName?: string;
  pvName?: string;
  pvStatus?: string;
  lastPVCRefAt?: string;
}

export interface Volume {
  apiVersion?: string;
  kind?: string;
  /** metadata.name is the PV name (e.g. `pvc-<uid>`, but read it from the PVC's spec.volumeName). */
  metadata: ObjectMeta;
  spec?: {
    backupTargetName?: string;
    numberOfReplicas?: number;
    size?: string;
  };
  status?: {
    state?: VolumeState | '';
    robustness?: VolumeRobustness | '';
    lastBackup?: string;
    lastBackupAt?: string;
    kubernetesStatus?: VolumeKubernetesStatus;
  };
}

export interface Snapshot {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: {
    /** Required and immutable: the Longhorn volume name. */
    volume: string;
    createSnapshot?: boolean;
    labels?: Record<string, string> | null;
  };
  status?: {
    readyToUse?: boolean;
    error?: string;
    creationTime?: string;
    labels?: Record<string, string> | null;
    markRemoved?: boolean;
    size?: number;
    userCreated?: boolean;
  };
}

/** '' | Pending | InProgress are not final; Completed | Error | Unknown | Deleting are. */
export type BackupState = '' | 'Pending' | 'InProgress' | 'Completed' | 'Error' | 'Unknown' | 'Deleting';

export interface Backup {
  apiVersion?: string;
  kind?: string;
  /** Label `backup-volume: <volume>` (Longhorn's mutator derives it when absent). */
  metadata: ObjectMeta;
  spec?: {
    snapshotName?: string;
    backupMode?: 'full' | 'incremental';
    labels?: Record<string, string> | null;
  };
  status?: {
    state?: BackupState;
    url?: string;
    error?: string;
    progress?: number;
    backupCreatedAt?: string;
    snapshotName?: string;
    volumeName?: string;
    backupTargetName?: string;
    /** The backup's labels as stored in the backup target (a synced Backup has them here only). */
    labels?: Record<string, string> | null;
    messages?: Record<string, string> | null;
  };
}
