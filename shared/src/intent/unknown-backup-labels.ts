import { closestMatch } from '../text/closest-match.ts';
import { backupLabelKeyPrefix, pvcLabelKeys } from './label-keys.ts';

export interface UnknownBackupLabel {
  readonly key: string;
  /** The known key it most likely meant, or null. */
  readonly suggestion: string | null;
  /** For an admission warning or an Event. */
  readonly message: string;
}

/** A key as a message shows it: at most 80 characters (a label key may be 317, a forged one any length). */
function shownKey(key: string): string {
  return key.length > 80 ? `${key.slice(0, 79)}…` : key;
}

let lastTest: { readonly prefix: string; readonly isUnknown: (key: string) => boolean } | undefined;

/**
 * Called once per label key; the known keys' set is built once per prefix (one configuration: the
 * same test every review; building it per review was a tenth of a `/validate` answer's decision).
 */
function unknownKeyTest(prefix: string): (key: string) => boolean {
  if (lastTest?.prefix !== prefix) {
    const known = new Set(pvcLabelKeys(prefix));
    const ours = backupLabelKeyPrefix(prefix);
    lastTest = { prefix, isUnknown: (key) => key.startsWith(ours) && !known.has(key) };
  }
  return lastTest.isUnknown;
}

/**
 * The first `limit` keys (in sorted order) under our prefix that are not part of the PVC label
 * schema, and how many there are in all: one pass, no sort of them all, no suggestions.
 */
export function firstUnknownBackupLabelKeys(
  labels: Readonly<Record<string, string>> | undefined | null,
  prefix: string,
  limit: number,
): { readonly keys: readonly string[]; readonly total: number } {
  const isUnknown = unknownKeyTest(prefix);
  const first: string[] = [];
  let total = 0;
  for (const key in labels ?? {}) {
    if (!isUnknown(key)) continue;
    total++;
    if (first.length === limit && !(key < (first[limit - 1] ?? ''))) continue;
    let at = first.length;
    while (at > 0 && key < (first[at - 1] ?? '')) at--;
    first.splice(at, 0, key);
    if (first.length > limit) first.pop();
  }
  return { keys: first, total };
}

/** One unknown key with its "did you mean" (an edit-distance search: call it for a bounded number of keys). */
export function unknownBackupLabel(key: string, prefix: string): UnknownBackupLabel {
  const known = pvcLabelKeys(prefix);
  const suggestion = closestMatch(key, known);
  const hint = suggestion === null ? `the backup labels are ${known.join(', ')}` : `did you mean ${suggestion}?`;
  return { key, suggestion, message: `${shownKey(key)} is not a backup label and is ignored: ${hint}` };
}

/** Keys under our prefix that are not part of the PVC label schema (typos, mostly). */
export function unknownBackupLabels(
  labels: Readonly<Record<string, string>> | undefined | null,
  prefix: string,
): UnknownBackupLabel[] {
  return Object.keys(labels ?? {})
    .filter(unknownKeyTest(prefix))
    .sort()
    .map((key) => unknownBackupLabel(key, prefix));
}
