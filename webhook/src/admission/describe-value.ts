// A short, bounded rendering of an untrusted value for an error message: JSON.stringify of an
// attacker's value could be megabytes long, or overflow the stack on deep nesting.

const MAX_LENGTH = 100;
const MAX_DEPTH = 3;
const MAX_ITEMS = 5;

function preview(value: unknown, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value.length > MAX_LENGTH ? value.slice(0, MAX_LENGTH) : value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return '[…]';
    const items = value.slice(0, MAX_ITEMS).map((item: unknown) => preview(item, depth + 1));
    return `[${items.join(',')}${value.length > MAX_ITEMS ? ',…' : ''}]`;
  }
  if (depth >= MAX_DEPTH) return '{…}';
  const entries: string[] = [];
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (entries.length === MAX_ITEMS) {
      entries.push('…');
      break;
    }
    entries.push(`${preview(key, MAX_DEPTH)}:${preview((value as Record<string, unknown>)[key], depth + 1)}`);
  }
  return `{${entries.join(',')}}`;
}

/** JSON-like, at most 100 characters; `missing` for undefined. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = preview(value, 0);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
