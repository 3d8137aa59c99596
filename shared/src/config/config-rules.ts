// The rules for config values that are not PVC labels (the schedule defaults reuse the label rules).

import { isDnsLabel, isDnsSubdomain, isQualifiedName } from '../names/kubernetes-names.ts';
import { parseGoDuration } from '../cron/go-duration.ts';
import type { ValueProblem } from '../intent/rule-result.ts';
import { checkWholeNumber } from '../intent/whole-number.ts';
import type { Milliseconds } from './guard-config.ts';

export type ConfigRuleResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: ValueProblem };
export type ConfigRule<T> = (text: string) => ConfigRuleResult<T>;

function ok<T>(value: T): ConfigRuleResult<T> {
  return { ok: true, value };
}

function bad<T>(reason: string, allowed: string, example: string): ConfigRuleResult<T> {
  return { ok: false, failure: { reason, allowed, example } };
}

export const LONGHORN_MAX_RETENTION_LIMIT = 250;

export const labelPrefixRule: ConfigRule<string> = (text) =>
  isDnsSubdomain(text)
    ? ok(text)
    : bad(
        'is not a DNS subdomain',
        "use lowercase letters, digits, '-' and '.', at most 253 characters",
        'backup.vluwte.nl',
      );

export const maxRetentionRule: ConfigRule<number> = (text) => {
  const check = checkWholeNumber(text, 1, LONGHORN_MAX_RETENTION_LIMIT, 100);
  if (check.ok) return ok(check.value);
  const reason =
    check.problem === 'not-whole'
      ? 'is not a whole number'
      : `is outside Longhorn's range 1..${LONGHORN_MAX_RETENTION_LIMIT}`;
  return bad(
    reason,
    `use the value of Longhorn's setting recurring-job-max-retention, 1 to ${LONGHORN_MAX_RETENTION_LIMIT}`,
    String(check.example),
  );
};

/** Archive attempts before the workflow stops; each attempt may add a Snapshot to the volume. */
export const archiveMaxAttemptsRule: ConfigRule<number> = (text) => {
  const check = checkWholeNumber(text, 1, 1000, 5);
  return check.ok
    ? ok(check.value)
    : bad(
        check.problem === 'not-whole' ? 'is not a whole number' : 'is outside 1..1000',
        'use a whole number of attempts, 1 to 1000',
        String(check.example),
      );
};

/** How many runs in a row must fail before a PVC's backups are `failing` (health). */
export const failingAfterRule: ConfigRule<number> = (text) => {
  const check = checkWholeNumber(text, 1, 100, 2);
  if (check.ok) return ok(check.value);
  return bad(
    check.problem === 'not-whole' ? 'is not a whole number' : 'is outside 1..100',
    'use how many failed runs in a row make a PVC failing, 1 to 100',
    String(check.example),
  );
};

export const namespaceRule: ConfigRule<string> = (text) =>
  isDnsLabel(text)
    ? ok(text)
    : bad(
        'is not a namespace name',
        "use a DNS label: lowercase letters, digits and '-', at most 63 characters",
        'longhorn-system',
      );

export const provisionerRule: ConfigRule<string> = (text) =>
  isQualifiedName(text)
    ? ok(text)
    : bad('is not a provisioner name', 'use the provisioner of your Longhorn StorageClasses', 'driver.longhorn.io');

export const labelKeyRule: ConfigRule<string> = (text) =>
  isQualifiedName(text)
    ? ok(text)
    : bad('is not a label key', 'use a label key, prefix/name', 'backup.vluwte.nl/default-enabled');

// YAML 1.2 core booleans: this is a YAML file, not a label value.
const TRUE_WORDS = ['true', 'True', 'TRUE'];
const FALSE_WORDS = ['false', 'False', 'FALSE'];

export const booleanRule: ConfigRule<boolean> = (text) => {
  if (TRUE_WORDS.includes(text)) return ok(true);
  if (FALSE_WORDS.includes(text)) return ok(false);
  return bad('is not a boolean', 'use true or false', 'false');
};

/** true, false, or null; null reaches this rule only as the (quoted) word, which is refused. */
export const optionalBooleanRule: ConfigRule<boolean> = (text) => {
  const result = booleanRule(text);
  return result.ok ? result : bad('is not a boolean', 'use true, false, or null (no defaulting)', 'null');
};

const MIN_DURATION = 1_000;

/** A Go duration of at least a second; `example` is shown when the value is refused. */
export function durationRule(example: string): ConfigRule<Milliseconds> {
  return (text) => {
    const allowed = 'use a duration of at least 1s such as 90s, 30m, 24h or 1h30m';
    const parsed = parseGoDuration(text);
    if (!parsed.ok) return bad('is not a duration', allowed, example);
    const milliseconds = Number(parsed.nanoseconds / 1_000_000n);
    return milliseconds < MIN_DURATION ? bad('is shorter than 1s', allowed, example) : ok(milliseconds);
  };
}
