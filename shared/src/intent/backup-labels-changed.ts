import { isBackupLabelKey } from './label-keys.ts';

type Labels = Readonly<Record<string, string>> | undefined | null;

function backupLabelsOf(labels: Labels, prefix: string): Map<string, string> {
  return new Map(Object.entries(labels ?? {}).filter(([key]) => isBackupLabelKey(key, prefix)));
}

/** Whether an UPDATE touched backup labels; one that did not is always admitted. */
export function backupLabelsDiffer(before: Labels, after: Labels, prefix: string): boolean {
  const a = backupLabelsOf(before, prefix);
  const b = backupLabelsOf(after, prefix);
  return a.size !== b.size || [...a].some(([key, value]) => b.get(key) !== value);
}
