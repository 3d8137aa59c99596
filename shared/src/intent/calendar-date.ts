import { accepted, refused, type RuleResult } from './rule-result.ts';

// Any real date works (a past one just means the archive has expired), so this is a safe example
// when nothing better can be read from the value given.
const FALLBACK_EXAMPLE = '2030-12-31';

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A real date from year/month/day numbers, clamping month and day into range. */
function clampedDate(year: number, month: number, day: number): string {
  const m = Math.min(12, Math.max(1, month));
  return formatDate(year, m, Math.min(daysInMonth(year, m), Math.max(1, day)));
}

/** `2026-02-30` -> 2026-02-28, `11.07.2026` / `2026/7/11` -> 2026-07-11. */
function dateExample(text: string): string {
  const groups = text.match(/[0-9]+/g) ?? [];
  if (groups.length !== 3) return FALLBACK_EXAMPLE;
  const [a = '', b = '', c = ''] = groups;
  if (a.length === 4) return clampedDate(Number(a), Number(b), Number(c));
  if (c.length === 4) return clampedDate(Number(c), Number(b), Number(a));
  return FALLBACK_EXAMPLE;
}

/** `YYYY-MM-DD`, a date that exists in the (proleptic Gregorian) calendar. */
export function parseCalendarDate(text: string): RuleResult<string, 'invalid_archive_delete_after'> {
  const allowed = 'use a real date as YYYY-MM-DD';
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (match === null) {
    return refused({
      condition: 'invalid_archive_delete_after',
      reason: 'is not a date in YYYY-MM-DD form',
      allowed,
      example: dateExample(text),
    });
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return refused({
      condition: 'invalid_archive_delete_after',
      reason: 'is not a real calendar date',
      allowed,
      example: dateExample(text),
    });
  }
  return accepted(text);
}
