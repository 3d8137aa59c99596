// A violation is what the webhook denies with, what the reconciler reports as an Event and what
// the metric `backup_pvc_violation{condition}` counts. The condition codes are a stable API:
// alert rules and dashboards match on them.

export const CONDITION_CODES = [
  'missing_enabled_label',
  'invalid_enabled',
  'missing_name',
  'invalid_name',
  'job_name_too_long',
  'invalid_retain',
  'retain_above_max',
  'invalid_interval',
  'invalid_start',
  'invalid_full_backup_interval',
  'invalid_concurrency',
  'invalid_archive',
  'invalid_archive_delete_after',
  'archive_without_delete_after',
  'duplicate_name',
] as const;

export type ConditionCode = (typeof CONDITION_CODES)[number];

export interface Violation {
  readonly condition: ConditionCode;
  /** The label the violation is about. */
  readonly labelKey: string;
  /** The value given, or null when the label is missing. */
  readonly value: string | null;
  /** Which label, what was given, what is allowed and a value that works. */
  readonly message: string;
}

/** Why one value was refused, without saying where it came from (a label or a config key). */
export interface ValueProblem {
  /** Completes "<key>="<value>" …", e.g. `is not a divisor of 24`. */
  readonly reason: string;
  /** What is allowed, e.g. `use 1, 2, 3, 4, 6, 8, 12 or 24`. */
  readonly allowed: string;
  /** A value that works, or null when no value can work. */
  readonly example: string | null;
}

/** A refused label value, with the condition it is reported under. */
export interface RuleFailure extends ValueProblem {
  readonly condition: ConditionCode;
}

export type RuleResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: RuleFailure };

export function accepted<T>(value: T): RuleResult<T> {
  return { ok: true, value };
}

export function refused<T>(failure: RuleFailure): RuleResult<T> {
  return { ok: false, failure };
}

/** `key="value" reason: allowed (e.g. key=example)`; a missing label has no `="value"`. */
export function labelViolation(labelKey: string, value: string | null, failure: RuleFailure): Violation {
  const given = value === null ? '' : `=${JSON.stringify(value)}`;
  const example = failure.example === null ? '' : ` (e.g. ${labelKey}=${failure.example})`;
  return {
    condition: failure.condition,
    labelKey,
    value,
    message: `${labelKey}${given} ${failure.reason}: ${failure.allowed}${example}`,
  };
}
