// What a value rule returns: the value, or why it was refused. Shared by the label rules and the
// ConfigMap rules; the condition code says which label condition a refusal is reported under.

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
export interface RuleFailure<C extends string = string> extends ValueProblem {
  readonly condition: C;
}

export type RuleResult<T, C extends string = string> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: RuleFailure<C> };

export function accepted<T>(value: T): RuleResult<T, never> {
  return { ok: true, value };
}

export function refused<C extends string>(failure: RuleFailure<C>): RuleResult<never, C> {
  return { ok: false, failure };
}
