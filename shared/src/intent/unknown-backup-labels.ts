import { closestMatch } from '../text/closest-match.ts';
import { isBackupLabelKey, pvcLabelKeys } from './label-keys.ts';

export interface UnknownBackupLabel {
  readonly key: string;
  /** The known key it most likely meant, or null. */
  readonly suggestion: string | null;
  /** For an admission warning or an Event. */
  readonly message: string;
}

/** Keys under our prefix that are not part of the PVC label schema (typos, mostly). */
export function unknownBackupLabels(labels: Readonly<Record<string, string>> | undefined | null, prefix: string): UnknownBackupLabel[] {
  const known = pvcLabelKeys(prefix);
  return Object.keys(labels ?? {})
    .filter((key) => isBackupLabelKey(key, prefix) && !known.includes(key))
    .sort()
    .map((key) => {
      const suggestion = closestMatch(key, known);
      const hint = suggestion === null ? `the backup labels are ${known.join(', ')}` : `did you mean ${suggestion}?`;
      return { key, suggestion, message: `${key} is not a backup label and is ignored: ${hint}` };
    });
}
