// Integers in labels and config are plain decimal digits: no sign, exponent, space, hex or
// fraction. Leading zeros are accepted and normalised (`08` is 8): a person who pads a value
// means the number, and refusing it would teach nothing.

const DIGITS = /^[0-9]+$/;

export const MAX_INT32 = 2147483647;

export type WholeNumberCheck =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly problem: 'not-whole' | 'below' | 'above'; readonly example: number };

export function parseWholeNumber(text: string): number | null {
  return DIGITS.test(text) ? Number(text) : null;
}

/** Parses and bounds-checks; the example is the nearest value that works, else `fallback`. */
export function checkWholeNumber(text: string, min: number, max: number, fallback: number): WholeNumberCheck {
  const value = parseWholeNumber(text);
  if (value !== null && value >= min && value <= max) return { ok: true, value };
  const meant = value ?? (text.trim() === '' ? Number.NaN : Number(text.trim()));
  const example = Number.isFinite(meant) ? Math.min(max, Math.max(min, Math.round(meant))) : fallback;
  if (value === null) return { ok: false, problem: 'not-whole', example };
  return { ok: false, problem: value < min ? 'below' : 'above', example };
}
