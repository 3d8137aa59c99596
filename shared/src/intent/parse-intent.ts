// A PVC's backup labels -> what it wants, or everything that is wrong with them at once. Walks the
// label schema in table order: every backup label that is present is validated, whatever `enabled`
// says (a malformed value is reported even on an opted-out PVC); an absent one takes its ConfigMap
// default, is fine, or is a violation, as its entry says (the name is required only when
// enabled=true).

import { jobNameFor } from './job-name.ts';
import type { ArchiveRequest, IntentResult, PvcLabelsInput } from './backup-intent.ts';
import { SETTING_NAMES, type BackupSettings } from './backup-settings.ts';
import { backupLabelKeys } from './label-keys.ts';
import { PVC_LABEL_ENTRIES, type PvcLabelId, type PvcLabelValue, type SettingName } from './label-schema.ts';
import { scheduleLabelWithPolicy } from './policy-rule.ts';
import { labelViolation, type Violation } from './violation.ts';

/** What parsing reads of the configuration (a GuardConfig is one; intent/ does not import config/). */
export interface IntentConfig {
  readonly labelPrefix: string;
  readonly defaults: BackupSettings;
  readonly maxRetention: number;
  /** The ConfigMap's policies (only their names are read here). */
  readonly policies: readonly { readonly name: string }[];
}

/** The policies' names, listed once per configuration (the same array on every call). */
const policyNamesByList = new WeakMap<IntentConfig['policies'], readonly string[]>();
function policyNamesOf(policies: IntentConfig['policies']): readonly string[] {
  let names = policyNamesByList.get(policies);
  if (names === undefined) {
    names = policies.map((policy) => policy.name);
    policyNamesByList.set(policies, names);
  }
  return names;
}

export function parseIntent(pvc: PvcLabelsInput, config: IntentConfig): IntentResult {
  const keys = backupLabelKeys(config.labelPrefix);
  const labels = pvc.labels ?? {};
  const violations: Violation[] = [];
  const fromDefaults: SettingName[] = [];
  const values: Partial<Record<PvcLabelId, unknown>> = {};
  const context = {
    namespace: pvc.namespace,
    pvcName: pvc.name,
    maxRetention: config.maxRetention,
    policyNames: policyNamesOf(config.policies),
  };

  for (const [id, entry] of PVC_LABEL_ENTRIES) {
    const key = keys[id];
    const text = labels[key];
    if (text !== undefined) {
      const result = entry.rule(text, context);
      if (result.ok) values[id] = result.value;
      else violations.push(labelViolation(key, text, result.failure));
    } else if (entry.whenMissing === 'config-default') {
      const name = id as SettingName;
      fromDefaults.push(name);
      values[id] = config.defaults[name];
    } else if (entry.whenMissing !== 'optional') {
      const failure = entry.whenMissing({
        ...context,
        keyOf: (other) => keys[other as PvcLabelId],
        valueOf: (other) => values[other as PvcLabelId],
      });
      if (failure !== null) violations.push(labelViolation(key, null, failure));
    }
  }
  const value = <K extends PvcLabelId>(id: K) => values[id] as PvcLabelValue<K> | undefined;
  const policyText = labels[keys.policy];
  if (policyText !== undefined) {
    for (const setting of SETTING_NAMES) {
      const text = labels[keys[setting]];
      if (text !== undefined)
        violations.push(labelViolation(keys[setting], text, scheduleLabelWithPolicy(keys.policy, policyText)));
    }
  }

  const common = { namespace: pvc.namespace, pvcName: pvc.name };
  const enabled = value('enabled');
  const name = value('name');
  if (violations.length > 0)
    return { kind: 'invalid', ...common, enabled: enabled ?? null, name: name ?? null, violations };
  const deleteAfter = value('archiveDeleteAfter');
  const archive: ArchiveRequest | null =
    value('archive') === true && deleteAfter !== undefined ? { deleteAfter } : null;
  if (enabled !== true) return { kind: 'opted-out', ...common, archive };
  if (name === undefined) throw new Error('unreachable: enabled=true without a name and without a violation');
  // Plain loops: this runs on every admission review and every reconcile (no arrays per entry).
  const settings: Partial<Record<SettingName, unknown>> = {};
  for (const setting of SETTING_NAMES) settings[setting] = values[setting];
  const jobLabels: Record<string, string> = {};
  if (archive !== null) {
    for (const [id, entry] of PVC_LABEL_ENTRIES) {
      const text = labels[keys[id]];
      if (entry.job.via === 'label-while-archive-requested' && text !== undefined) jobLabels[keys[id]] = text;
    }
  }
  const intent = {
    ...common,
    name,
    jobName: jobNameFor(pvc.namespace, name),
    settings: settings as BackupSettings,
    fromDefaults,
    archive,
    jobLabels,
    policy: value('policy') ?? null,
  };
  return { kind: 'opted-in', ...common, intent };
}
