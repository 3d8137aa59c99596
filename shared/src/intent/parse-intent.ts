// A PVC's backup labels -> what it wants, or everything that is wrong with them at once.
// Every backup label that is present is validated, whatever `enabled` says (a malformed value
// is reported even on an opted-out PVC); the name is required only when enabled=true.

import { jobNameFor } from './job-name.ts';
import type { ArchiveRequest, IntentResult, PvcLabelsInput } from './backup-intent.ts';
import { missingNameFailure, parseBackupName } from './backup-name-rule.ts';
import type { BackupSettings, SettingName } from './backup-settings.ts';
import { parseCalendarDate } from './calendar-date.ts';
import { parseArchive, parseEnabled } from './flag-rules.ts';
import { backupLabelKeys } from './label-keys.ts';
import { parseSetting } from './setting-rules.ts';
import { labelViolation, type RuleResult, type Violation } from './violation.ts';

/** What parsing reads of the configuration (a GuardConfig is one; intent/ does not import config/). */
export interface IntentConfig {
  readonly labelPrefix: string;
  readonly defaults: BackupSettings;
  readonly maxRetention: number;
}

export function parseIntent(pvc: PvcLabelsInput, config: IntentConfig): IntentResult {
  const keys = backupLabelKeys(config.labelPrefix);
  const labels = pvc.labels ?? {};
  const violations: Violation[] = [];
  const fromDefaults: SettingName[] = [];

  /** The label's value through `rule`; undefined when absent or refused (then recorded). */
  function read<T>(key: string, rule: (text: string) => RuleResult<T>): T | undefined {
    const text = labels[key];
    if (text === undefined) return undefined;
    const result = rule(text);
    if (result.ok) return result.value;
    violations.push(labelViolation(key, text, result.failure));
    return undefined;
  }

  function setting<K extends SettingName>(name: K): BackupSettings[K] | undefined {
    if (labels[keys[name]] === undefined) {
      fromDefaults.push(name);
      return config.defaults[name];
    }
    return read(keys[name], (text) => parseSetting(name, text, config.maxRetention));
  }

  const enabled = read(keys.enabled, parseEnabled);
  if (labels[keys.enabled] === undefined) {
    const allowed = 'every Longhorn-backed PVC must opt in or out: use true or false';
    violations.push(labelViolation(keys.enabled, null, { condition: 'missing_enabled_label', reason: 'is missing', allowed, example: 'true' }));
  }

  const name = read(keys.name, (text) => parseBackupName(text, pvc.namespace));
  if (labels[keys.name] === undefined && enabled === true) {
    violations.push(labelViolation(keys.name, null, missingNameFailure(pvc.namespace, pvc.name, keys.enabled)));
  }

  const retain = setting('retain');
  const interval = setting('interval');
  const start = setting('start');
  const fullBackupInterval = setting('fullBackupInterval');
  const concurrency = setting('concurrency');

  const archiveRequested = read(keys.archive, parseArchive);
  const deleteAfter = read(keys.archiveDeleteAfter, parseCalendarDate);
  if (archiveRequested === true && labels[keys.archiveDeleteAfter] === undefined) {
    const allowed = `${keys.archive}=true needs the date after which the archive may be deleted: use a real date as YYYY-MM-DD`;
    violations.push(labelViolation(keys.archiveDeleteAfter, null, { condition: 'archive_without_delete_after', reason: 'is missing', allowed, example: '2030-12-31' }));
  }

  const common = { namespace: pvc.namespace, pvcName: pvc.name };
  if (violations.length > 0) return { kind: 'invalid', ...common, enabled: enabled ?? null, name: name ?? null, violations };
  const archive: ArchiveRequest | null = archiveRequested === true && deleteAfter !== undefined ? { deleteAfter } : null;
  if (enabled !== true) return { kind: 'opted-out', ...common, archive };
  if (name === undefined || retain === undefined || interval === undefined || start === undefined || fullBackupInterval === undefined || concurrency === undefined) {
    throw new Error('unreachable: a missing value without a violation');
  }
  const settings = { retain, interval, start, fullBackupInterval, concurrency };
  return { kind: 'opted-in', ...common, intent: { ...common, name, jobName: jobNameFor(pvc.namespace, name), settings, fromDefaults, archive } };
}
