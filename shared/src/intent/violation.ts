// A violation is what the webhook denies with, what the reconciler reports as an Event and what
// the metric `backup_pvc_violation{condition}` counts. The condition codes are a stable API:
// alert rules and dashboards match on them. They come from the label schema (each label lists
// the codes it is reported under).

import { PVC_LABEL_ENTRIES, type LabelConditionCode } from './label-schema.ts';
import type { RuleFailure } from './rule-result.ts';

export type ConditionCode = LabelConditionCode;

export const CONDITION_CODES: readonly ConditionCode[] = PVC_LABEL_ENTRIES.flatMap(([, entry]) => entry.conditions);

export interface Violation {
  readonly condition: ConditionCode;
  /** The label the violation is about. */
  readonly labelKey: string;
  /** The value given, or null when the label is missing. */
  readonly value: string | null;
  /** Which label, what was given, what is allowed and a value that works. */
  readonly message: string;
}

/** `key="value" reason: allowed (e.g. key=example)`; a missing label has no `="value"`. */
export function labelViolation(labelKey: string, value: string | null, failure: RuleFailure<ConditionCode>): Violation {
  const given = value === null ? '' : `=${JSON.stringify(value)}`;
  const example = failure.example === null ? '' : ` (e.g. ${labelKey}=${failure.example})`;
  return {
    condition: failure.condition,
    labelKey,
    value,
    message: `${labelKey}${given} ${failure.reason}: ${failure.allowed}${example}`,
  };
}
