// One rule per schedule setting, shared by the PVC labels and the ConfigMap defaults so both
// accept exactly the same values and explain a refusal the same way.

import { joinWords } from '../text/join-words.ts';
import { INTERVAL_HOURS, formatStart, type BackupSettings, type IntervalHours, type SettingName, type StartTime } from './backup-settings.ts';
import { accepted, refused, type ConditionCode, type RuleResult } from './violation.ts';
import { MAX_INT32, checkWholeNumber, parseWholeNumber } from './whole-number.ts';

export function parseRetain(text: string, maxRetention: number): RuleResult<number> {
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
  return INTERVAL_HOURS.reduce((best, candidate) => (Math.abs(candidate - hours) <= Math.abs(best - hours) ? candidate : best));
}

function isIntervalHours(value: number): value is IntervalHours {
  return (INTERVAL_HOURS as readonly number[]).includes(value);
}

export function parseInterval(text: string): RuleResult<IntervalHours> {
  const value = parseWholeNumber(text);
  if (value !== null && isIntervalHours(value)) return accepted(value);
  const meant = value ?? Number(text.trim());
  const example = String(text.trim() !== '' && Number.isFinite(meant) ? nearestInterval(meant) : 4);
  const reason = value === null ? 'is not a whole number of hours' : 'is not a divisor of 24';
  return refused({ condition: 'invalid_interval', reason, allowed: `use ${joinWords(INTERVAL_HOURS.map(String), 'or')}`, example });
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

export function parseStart(text: string): RuleResult<StartTime> {
  const allowed = 'use four digits HHMM from 0000 to 2359, a time of day in UTC';
  if (!/^[0-9]{4}$/.test(text)) {
    return refused({ condition: 'invalid_start', reason: 'is not in HHMM form', allowed, example: startExample(text) });
  }
  const hour = Number(text.slice(0, 2));
  const minute = Number(text.slice(2));
  if (hour > 23 || minute > 59) {
    return refused({ condition: 'invalid_start', reason: 'is not a time of day', allowed, example: startExample(text) });
  }
  return accepted({ hour, minute });
}

function countRule(condition: ConditionCode, min: 0 | 1, fallback: number) {
  return (text: string): RuleResult<number> => {
    const check = checkWholeNumber(text, min, MAX_INT32, fallback);
    if (check.ok) return accepted(check.value);
    const reasons = { 'not-whole': 'is not a whole number', below: `is less than ${min}`, above: `is too large (above ${MAX_INT32})` };
    return refused({ condition, reason: reasons[check.problem], allowed: `use a whole number of ${min} or more`, example: String(check.example) });
  };
}

/** Every Nth backup of the job is a full one. */
export const parseFullBackupInterval = countRule('invalid_full_backup_interval', 0, 4);

/** How many volumes the job backs up at the same time. */
export const parseConcurrency = countRule('invalid_concurrency', 1, 1);

type SettingRules = { readonly [K in SettingName]: (text: string, maxRetention: number) => RuleResult<BackupSettings[K]> };

const SETTING_RULES: SettingRules = {
  retain: parseRetain,
  interval: parseInterval,
  start: parseStart,
  fullBackupInterval: parseFullBackupInterval,
  concurrency: parseConcurrency,
};

/** The rule for one setting by name; `maxRetention` only matters for retain. */
export function parseSetting<K extends SettingName>(name: K, text: string, maxRetention: number): RuleResult<BackupSettings[K]> {
  const rule: (text: string, maxRetention: number) => RuleResult<BackupSettings[K]> = SETTING_RULES[name];
  return rule(text, maxRetention);
}

/** The text form of a setting value, as a label or config value would carry it. */
export function formatSetting(value: BackupSettings[SettingName]): string {
  return typeof value === 'object' ? formatStart(value) : String(value);
}
