// One rule per schedule setting, shared by the PVC labels and the ConfigMap defaults (through the
// label schema) so both accept exactly the same values and explain a refusal the same way.

import { joinWords } from '../text/join-words.ts';
import { accepted, refused, type RuleResult } from './rule-result.ts';
import { INTERVAL_HOURS, formatStart, type IntervalHours, type StartTime } from './schedule-values.ts';
import { MAX_INT32, checkWholeNumber, parseWholeNumber } from './whole-number.ts';

export function parseRetain(
  text: string,
  maxRetention: number,
): RuleResult<number, 'invalid_retain' | 'retain_above_max'> {
  const check = checkWholeNumber(text, 1, maxRetention, Math.min(8, maxRetention));
  if (check.ok) return accepted(check.value);
  const allowed = `use a whole number from 1 to ${maxRetention}`;
  const example = String(check.example);
  if (check.problem === 'above') {
    const reason = `is above the maximum of ${maxRetention} (Longhorn's recurring-job-max-retention)`;
    return refused({ condition: 'retain_above_max', reason, allowed, example });
  }
  const reason = check.problem === 'below' ? 'is less than 1' : 'is not a whole number';
  return refused({ condition: 'invalid_retain', reason, allowed, example });
}

function nearestInterval(hours: number): IntervalHours {
  // Ties go up: a slightly sparser schedule is the safer guess than a denser one.
  return INTERVAL_HOURS.reduce((best, candidate) =>
    Math.abs(candidate - hours) <= Math.abs(best - hours) ? candidate : best,
  );
}

function isIntervalHours(value: number): value is IntervalHours {
  return (INTERVAL_HOURS as readonly number[]).includes(value);
}

const INTERVAL_ALLOWED = `use ${joinWords(INTERVAL_HOURS.map(String), 'or')}`;

export function parseInterval(text: string): RuleResult<IntervalHours, 'invalid_interval'> {
  const value = parseWholeNumber(text);
  if (value !== null && isIntervalHours(value)) return accepted(value);
  const meant = value ?? Number(text.trim());
  const example = String(text.trim() !== '' && Number.isFinite(meant) ? nearestInterval(meant) : 4);
  const reason = value === null ? 'is not a whole number of hours' : 'is not a divisor of 24';
  return refused({
    condition: 'invalid_interval',
    reason,
    allowed: INTERVAL_ALLOWED,
    example,
  });
}

const MINUTES_PER_DAY = 24 * 60;

/** The start a person most likely meant: `00:30` -> 0030, `930` -> 0930, `2400` -> 0000. */
function startExample(text: string): string {
  const digits = text.replace(/[^0-9]/g, '');
  if (digits.length === 0 || digits.length > 4) return '0030';
  const padded = digits.length <= 2 ? `${digits.padStart(2, '0')}00` : digits.padStart(4, '0');
  const minutes = (Number(padded.slice(0, 2)) * 60 + Number(padded.slice(2))) % MINUTES_PER_DAY;
  return formatStart({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
}

export function parseStart(text: string): RuleResult<StartTime, 'invalid_start'> {
  const allowed = 'use four digits HHMM from 0000 to 2359, a time of day in UTC';
  if (!/^[0-9]{4}$/.test(text)) {
    return refused({ condition: 'invalid_start', reason: 'is not in HHMM form', allowed, example: startExample(text) });
  }
  const hour = Number(text.slice(0, 2));
  const minute = Number(text.slice(2));
  if (hour > 23 || minute > 59) {
    return refused({
      condition: 'invalid_start',
      reason: 'is not a time of day',
      allowed,
      example: startExample(text),
    });
  }
  return accepted({ hour, minute });
}

function countRule<C extends string>(condition: C, min: 0 | 1, fallback: number) {
  return (text: string): RuleResult<number, C> => {
    const check = checkWholeNumber(text, min, MAX_INT32, fallback);
    if (check.ok) return accepted(check.value);
    const reasons = {
      'not-whole': 'is not a whole number',
      below: `is less than ${min}`,
      above: `is too large (above ${MAX_INT32})`,
    };
    return refused({
      condition,
      reason: reasons[check.problem],
      allowed: `use a whole number of ${min} or more`,
      example: String(check.example),
    });
  };
}

/** Every Nth backup of the job is a full one. */
export const parseFullBackupInterval = countRule('invalid_full_backup_interval', 0, 4);

/** How many volumes the job backs up at the same time. */
export const parseConcurrency = countRule('invalid_concurrency', 1, 1);
