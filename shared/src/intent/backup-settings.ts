// The schedule settings: the PVC labels whose absence means the ConfigMap's `defaults.<name>`
// (label schema entries with whenMissing 'config-default'). A label and a default go through the
// same rule, so both accept exactly the same values and explain a refusal the same way.

import { LABEL_SCHEMA, PVC_LABEL_ENTRIES, type PvcLabelValue, type SettingName } from './label-schema.ts';
import type { RuleResult } from './rule-result.ts';
import { formatStart } from './schedule-values.ts';

export type BackupSettings = { readonly [K in SettingName]: PvcLabelValue<K> };

export const SETTING_NAMES: readonly SettingName[] = PVC_LABEL_ENTRIES.filter(
  ([, entry]) => entry.whenMissing === 'config-default',
).map(([id]) => id as SettingName);

/** The rule for one setting by name; `maxRetention` only matters for retain. */
export function parseSetting<K extends SettingName>(
  name: K,
  text: string,
  maxRetention: number,
): RuleResult<BackupSettings[K]> {
  const rule = LABEL_SCHEMA.pvc[name].rule as (
    text: string,
    context: { namespace: string; pvcName: string; maxRetention: number; policyNames: readonly string[] },
  ) => RuleResult<BackupSettings[K]>;
  return rule(text, { namespace: '', pvcName: '', maxRetention, policyNames: [] });
}

/** The text form of a setting value, as a label or config value would carry it. */
export function formatSetting(value: BackupSettings[SettingName]): string {
  return typeof value === 'object' ? formatStart(value) : String(value);
}
