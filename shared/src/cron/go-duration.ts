// Go's time.ParseDuration (used by robfig/cron's `@every`, and the natural duration syntax for a
// Kubernetes operator's config), with Go's error texts.

const UNIT_NANOSECONDS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NANOSECONDS = (1n << 63n) - 1n;

export type GoDurationParse =
  { readonly ok: true; readonly nanoseconds: bigint } | { readonly ok: false; readonly error: string };

/** `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or `0`, e.g. `1h30m`, `90s`, `1.5h`, `-2m`. */
export function parseGoDuration(text: string): GoDurationParse {
  const invalid: GoDurationParse = { ok: false, error: `time: invalid duration "${text}"` };
  const negative = text.startsWith('-');
  let rest = text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text;
  if (rest === '0') return { ok: true, nanoseconds: 0n };
  if (rest === '') return invalid;
  let total = 0n;
  while (rest !== '') {
    const component = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest);
    const whole = component?.[1] ?? '';
    const fraction = component?.[2];
    if (whole === '' && (fraction === undefined || fraction === '')) return invalid;
    rest = rest.slice(component?.[0].length ?? 0);
    const unit = /^[^0-9.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') return { ok: false, error: `time: missing unit in duration "${text}"` };
    const scale = UNIT_NANOSECONDS[unit];
    if (scale === undefined) return { ok: false, error: `time: unknown unit "${unit}" in duration "${text}"` };
    rest = rest.slice(unit.length);
    total += BigInt(whole === '' ? '0' : whole) * scale;
    if (fraction !== undefined && fraction !== '') total += BigInt(Math.floor(Number(`0.${fraction}`) * Number(scale)));
    if (total > MAX_NANOSECONDS + (negative ? 1n : 0n)) return invalid;
  }
  return { ok: true, nanoseconds: negative ? -total : total };
}

const FORMAT_UNITS: readonly (readonly [string, number])[] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** Milliseconds as a short Go duration: 86400000 -> `24h`, 5400000 -> `1h30m`, 1500 -> `1s500ms`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds === 0) return '0s';
  let rest = Math.abs(Math.trunc(milliseconds));
  let text = milliseconds < 0 ? '-' : '';
  for (const [unit, size] of FORMAT_UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}
