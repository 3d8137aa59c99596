import type { BackupSettings } from './backup-settings.ts';
import type { SettingName } from './label-schema.ts';
import type { Violation } from './violation.ts';

/** What parsing needs of a PVC. */
export interface PvcLabelsInput {
  readonly namespace: string;
  /** The PVC's metadata.name. */
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>> | null;
}

/** `<p>/archive=true` with its date. */
export interface ArchiveRequest {
  /** `YYYY-MM-DD`, a real date; after this day the archive is reported expired. */
  readonly deleteAfter: string;
}

export interface BackupIntent {
  readonly namespace: string;
  readonly pvcName: string;
  /** The `<p>/name` label. */
  readonly name: string;
  /** `backup-<namespace>-<name>`, at most 40 characters. */
  readonly jobName: string;
  /** Label values where given, ConfigMap defaults otherwise. */
  readonly settings: BackupSettings;
  /** The settings that came from the defaults (and so follow ConfigMap changes). */
  readonly fromDefaults: readonly SettingName[];
  readonly archive: ArchiveRequest | null;
  /** The PVC's labels the job carries too (label schema: label-while-archive-requested), by key. */
  readonly jobLabels: Readonly<Record<string, string>>;
  /** The `<p>/policy` label: its policy's shared jobs back the PVC up instead of the PVC's own job. */
  readonly policy: string | null;
}

export type IntentResult =
  | { readonly kind: 'opted-in'; readonly namespace: string; readonly pvcName: string; readonly intent: BackupIntent }
  | {
      readonly kind: 'opted-out';
      readonly namespace: string;
      readonly pvcName: string;
      readonly archive: ArchiveRequest | null;
    }
  | {
      readonly kind: 'invalid';
      readonly namespace: string;
      readonly pvcName: string;
      /** The enabled label when it was valid, else null. */
      readonly enabled: boolean | null;
      /** The name label when it was valid, else null (duplicate detection still counts it). */
      readonly name: string | null;
      /** Every violation of this PVC, in label order; never empty. */
      readonly violations: readonly Violation[];
    };
