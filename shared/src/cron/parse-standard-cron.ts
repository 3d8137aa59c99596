// What Longhorn accepts as `spec.cron`: robfig/cron v3.0.1 `ParseStandard` (Longhorn's webhook
// and Kubernetes' CronJob controller both use it), rule for rule; tests/unit/shared/cron-oracle
// checks it against the library itself. Error texts are robfig's with its v1 capitals (as in
// Longhorn's cron-vectors.txt). Five fields (minute hour day-of-month month day-of-week), `*` and
// `?`, lists, ranges, steps, month and weekday names (any case), and the descriptors @yearly
// @annually @monthly @weekly @daily @midnight @hourly and `@every <Go duration>`. No seconds
// field, no L W # H, and no `TZ=`/`CRON_TZ=` prefix: robfig accepts one, but Kubernetes refuses
// it in the CronJob Longhorn makes from the job, so the job would never run. Quirks kept on
// purpose: `N/step` runs from N to the field's maximum, a range starting with `*` ignores the rest
// (`*-5` is `*`), an empty list item is skipped, and `*/step` with a step above 1 does not count
// as `*` when the two day fields are combined.

import { BoundedMap } from '../collections/bounded-map.ts';
import { parseGoDuration } from './go-duration.ts';

/** The values of one field, and whether it was written with `*`/`?` (matters for day matching). */
export interface CronField {
  readonly values: ReadonlySet<number>;
  readonly star: boolean;
}

export type CronSchedule =
  | {
      readonly kind: 'fields';
      readonly minute: CronField;
      readonly hour: CronField;
      readonly dayOfMonth: CronField;
      readonly month: CronField;
      readonly dayOfWeek: CronField;
    }
  /** `@every`: a fixed delay, whole seconds, at least one. */
  | { readonly kind: 'every'; readonly delaySeconds: number };

export type CronParse =
  { readonly ok: true; readonly schedule: CronSchedule } | { readonly ok: false; readonly error: string };

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DAYS_OF_MONTH: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = { min: 1, max: 12, names: Object.fromEntries(MONTH_NAMES.map((name, i) => [name, i + 1])) };
const DAYS_OF_WEEK: Bounds = { min: 0, max: 6, names: Object.fromEntries(WEEKDAY_NAMES.map((name, i) => [name, i])) };

// Go's unicode.IsSpace, which strings.Fields splits on (JavaScript's \s differs in U+0085, U+FEFF).
const GO_SPACE = /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/;

class CronError extends Error {}

const MAX_INT64 = (1n << 63n) - 1n;

/** Go's strconv.Atoi followed by robfig's "not negative" check. */
function parseInt(expr: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(expr)) {
    throw new CronError(
      `Failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`,
    );
  }
  const value = BigInt(expr);
  if (value > MAX_INT64 || value < -MAX_INT64 - 1n) {
    throw new CronError(
      `Failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`,
    );
  }
  if (value < 0n) throw new CronError(`Negative number (${value}) not allowed: ${expr}`);
  return value;
}

function parseIntOrName(expr: string, bounds: Bounds): bigint {
  const named = bounds.names?.[expr.toLowerCase()];
  return named === undefined ? parseInt(expr) : BigInt(named);
}

/** number | number "-" number [ "/" number ] | "*" [ "/" number ]; adds its values, says if starred. */
function parseRange(expr: string, bounds: Bounds, values: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  const [low = '', high = ''] = lowAndHigh;
  const star = low === '*' || low === '?';
  const min = BigInt(bounds.min);
  const max = BigInt(bounds.max);
  let start = min;
  let end = max;
  if (!star) {
    start = parseIntOrName(low, bounds);
    if (lowAndHigh.length > 2) throw new CronError(`Too many hyphens: ${expr}`);
    end = lowAndHigh.length === 2 ? parseIntOrName(high, bounds) : start;
  }
  let step = 1n;
  if (rangeAndStep.length > 2) throw new CronError(`Too many slashes: ${expr}`);
  if (rangeAndStep.length === 2) {
    step = parseInt(rangeAndStep[1] ?? '');
    if (lowAndHigh.length === 1) end = max;
  }
  if (start < min) throw new CronError(`Beginning of range (${start}) below minimum (${min}): ${expr}`);
  if (end > max) throw new CronError(`End of range (${end}) above maximum (${max}): ${expr}`);
  if (start > end) throw new CronError(`Beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0n) throw new CronError(`Step of range should be a positive number: ${expr}`);
  for (let value = start; value <= end; value += step) values.add(Number(value));
  // robfig drops the star bit when a step above 1 is given: `*/2` is a plain list of values.
  return star && step === 1n;
}

function parseField(field: string, bounds: Bounds): CronField {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(',').filter((part) => part !== '')) {
    if (parseRange(expr, bounds, values)) star = true;
  }
  return { values, star };
}

function all(bounds: Bounds): CronField {
  return parseField('*', bounds);
}

function only(value: number): CronField {
  return { values: new Set([value]), star: false };
}

function descriptor(spec: string): CronSchedule {
  const midnight = { kind: 'fields', minute: only(0), hour: only(0) } as const;
  switch (spec) {
    case '@yearly':
    case '@annually':
      return { ...midnight, dayOfMonth: only(1), month: only(1), dayOfWeek: all(DAYS_OF_WEEK) };
    case '@monthly':
      return { ...midnight, dayOfMonth: only(1), month: all(MONTHS), dayOfWeek: all(DAYS_OF_WEEK) };
    case '@weekly':
      return { ...midnight, dayOfMonth: all(DAYS_OF_MONTH), month: all(MONTHS), dayOfWeek: only(0) };
    case '@daily':
    case '@midnight':
      return { ...midnight, dayOfMonth: all(DAYS_OF_MONTH), month: all(MONTHS), dayOfWeek: all(DAYS_OF_WEEK) };
    case '@hourly':
      return {
        ...midnight,
        hour: all(HOURS),
        dayOfMonth: all(DAYS_OF_MONTH),
        month: all(MONTHS),
        dayOfWeek: all(DAYS_OF_WEEK),
      };
  }
  const every = '@every ';
  if (spec.startsWith(every)) {
    const duration = parseGoDuration(spec.slice(every.length));
    if (!duration.ok) throw new CronError(`Failed to parse duration ${spec}: ${duration.error}`);
    // robfig: at least one second, rounded down to whole seconds.
    return { kind: 'every', delaySeconds: Math.max(1, Number(duration.nanoseconds / 1_000_000_000n)) };
  }
  throw new CronError(`Unrecognized descriptor: ${spec}`);
}

function parse(spec: string): CronSchedule {
  if (spec === '') throw new CronError('Empty spec string');
  if (spec.startsWith('@')) return descriptor(spec);
  const fields = spec.split(GO_SPACE).filter((field) => field !== '');
  if (fields.length !== 5) throw new CronError(`Expected exactly 5 fields, found ${fields.length}: ${spec}`);
  const [minute = '', hour = '', dayOfMonth = '', month = '', dayOfWeek = ''] = fields;
  return {
    kind: 'fields',
    minute: parseField(minute, MINUTES),
    hour: parseField(hour, HOURS),
    dayOfMonth: parseField(dayOfMonth, DAYS_OF_MONTH),
    month: parseField(month, MONTHS),
    dayOfWeek: parseField(dayOfWeek, DAYS_OF_WEEK),
  };
}

/**
 * Parses once per distinct spec (the results are read-only and shared): every reconcile checks and
 * times its job's cron, and a fleet has few distinct ones.
 */
const parsed = new BoundedMap<string, CronParse>(256);

export function parseStandardCron(spec: string): CronParse {
  const known = parsed.get(spec);
  if (known !== undefined) return known;
  const result = parseUncached(spec);
  parsed.set(spec, result);
  return result;
}

function parseUncached(spec: string): CronParse {
  try {
    return { ok: true, schedule: parse(spec) };
  } catch (error) {
    if (error instanceof CronError) return { ok: false, error: error.message };
    throw error;
  }
}
