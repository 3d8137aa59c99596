import type { Violation } from '@longhorn-backup-guard/shared/intent/violation';

/**
 * What kubectl prints after `admission webhook "…" denied the request: `. The PVC is named
 * because `kubectl apply -f` of a file with many objects names only the file.
 */
export function violationsMessage(pvcName: string, violations: readonly Violation[]): string {
  const pvc = `PVC ${JSON.stringify(pvcName)}`;
  if (violations.length === 1) return `${pvc}: ${violations[0]?.message ?? ''}`;
  return `${pvc} has ${violations.length} problems with its backup labels:\n${violations.map((violation) => `- ${violation.message}`).join('\n')}`;
}
