// The configuration of webhook and reconciler, read from one ConfigMap (YAML, camelCase keys).
// Every key is optional; an empty document means all defaults. The full shape with defaults:
//
//   labelPrefix: backup.vluwte.nl          # DNS subdomain; every label is <labelPrefix>/<name>
//   defaults:                              # for PVCs that leave a setting out; same rules as labels
//     retain: 8                            # 1..maxRetention
//     interval: 4                          # hours, a divisor of 24
//     start: "0030"                        # HHMM, UTC (0030 unquoted is fine too)
//     fullBackupInterval: 4                # >= 0
//     concurrency: 1                       # >= 1
//   maxRetention: 100                      # Longhorn's recurring-job-max-retention, 1..250
//   longhornNamespace: longhorn-system
//   provisioner: driver.longhorn.io        # StorageClass provisioner that makes a PVC Longhorn-backed
//   excludedNamespaces: [kube-system, kube-public, kube-node-lease, longhorn-system]
//   namespacePolicyLabel: backup.vluwte.nl/default-enabled   # default: <labelPrefix>/default-enabled
//   clusterDefaultEnabled: null            # true | false | null (null: enabled is never defaulted)
//   watchNamespaces: []                    # empty: all namespaces
//   orphanGracePeriod: 24h                 # Go durations (h, m, s, ms ...), at least 1s
//   resyncPeriod: 10m
//   denyDeleteWithoutArchive: false        # deny (not only warn) deleting a protected PVC unarchived
//   snapshotReadyTimeout: 10m              # archive: how long a Snapshot may take to be readyToUse
//   backupCompletionTimeout: 6h            # archive: how long a Backup may take to complete
//   archiveMaxAttempts: 5                  # archive: attempts before it stops until asked again
//   backupStaleSlack: 1h                   # health: stale after two scheduled runs plus this, with no completed backup
//   backupFailingAfter: 2                  # health: failing once this many runs in a row ended in Error/Unknown
//   policies: {}                           # named backup policies for <p>/policy (parse-policies.ts)
//
// Durations are held in milliseconds. The configuration is frozen: hand it around freely.

import { deepFreeze } from '../util/deep-freeze.ts';
import type { BackupSettings } from '../intent/backup-settings.ts';
import { groupKeys } from '../intent/label-schema.ts';
import type { BackupPolicy } from '../policy/backup-policy.ts';

export type Milliseconds = number;

export interface GuardConfig {
  readonly labelPrefix: string;
  readonly defaults: BackupSettings;
  readonly maxRetention: number;
  readonly longhornNamespace: string;
  readonly provisioner: string;
  readonly excludedNamespaces: readonly string[];
  readonly namespacePolicyLabel: string;
  readonly clusterDefaultEnabled: boolean | null;
  readonly watchNamespaces: readonly string[];
  readonly orphanGracePeriod: Milliseconds;
  readonly resyncPeriod: Milliseconds;
  readonly denyDeleteWithoutArchive: boolean;
  readonly snapshotReadyTimeout: Milliseconds;
  readonly backupCompletionTimeout: Milliseconds;
  /** Archive attempts (each may add a Snapshot) before the workflow stops until the archive is asked again. */
  readonly archiveMaxAttempts: number;
  readonly backupStaleSlack: Milliseconds;
  readonly backupFailingAfter: number;
  /** Named backup policies, in ConfigMap order (a PVC asks for one with `<p>/policy`). */
  readonly policies: readonly BackupPolicy[];
}

export const DEFAULT_LABEL_PREFIX = 'backup.vluwte.nl';

export function defaultNamespacePolicyLabel(labelPrefix: string): string {
  return groupKeys('namespace', labelPrefix).defaultEnabled;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

export const defaultConfig = deepFreeze<GuardConfig>({
  labelPrefix: DEFAULT_LABEL_PREFIX,
  defaults: { retain: 8, interval: 4, start: { hour: 0, minute: 30 }, fullBackupInterval: 4, concurrency: 1 },
  maxRetention: 100,
  longhornNamespace: 'longhorn-system',
  provisioner: 'driver.longhorn.io',
  excludedNamespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'longhorn-system'],
  namespacePolicyLabel: defaultNamespacePolicyLabel(DEFAULT_LABEL_PREFIX),
  clusterDefaultEnabled: null,
  watchNamespaces: [],
  orphanGracePeriod: 24 * HOUR,
  resyncPeriod: 10 * MINUTE,
  denyDeleteWithoutArchive: false,
  snapshotReadyTimeout: 10 * MINUTE,
  backupCompletionTimeout: 6 * HOUR,
  archiveMaxAttempts: 5,
  backupStaleSlack: HOUR,
  backupFailingAfter: 2,
  policies: [],
});
