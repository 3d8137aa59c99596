import { closestMatch } from '../text/closest-match.ts';
import { isBackupLabelKey, pvcLabelKeys } from './label-keys.ts';

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

/** Keys under our prefix that are not part of the PVC label schema, sorted (cheap: no suggestions). */
export function unknownBackupLabelKeys(labels: Readonly<Record<string, string>> | undefined | null, prefix: string): string[] {
  const known = pvcLabelKeys(prefix);
  return Object.keys(labels ?? {}).filter((key) => isBackupLabelKey(key, prefix) && !known.includes(key)).sort();
}

/** One unknown key with its "did you mean" (an edit-distance search: call it for a bounded number of keys). */
export function unknownBackupLabel(key: string, prefix: string): UnknownBackupLabel {
  const known = pvcLabelKeys(prefix);
  const suggestion = closestMatch(key, known);
  const hint = suggestion === null ? `the backup labels are ${known.join(', ')}` : `did you mean ${suggestion}?`;
  return { key, suggestion, message: `${shownKey(key)} is not a backup label and is ignored: ${hint}` };
}

/** Keys under our prefix that are not part of the PVC label schema (typos, mostly). */
export function unknownBackupLabels(labels: Readonly<Record<string, string>> | undefined | null, prefix: string): UnknownBackupLabel[] {
  return unknownBackupLabelKeys(labels, prefix).map((key) => unknownBackupLabel(key, prefix));
}
