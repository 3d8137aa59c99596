// What the validating webhook thinks of one PVC as it will be stored, before the UPDATE rule
// (refuse only what the update brings in) is applied. `check` judges manifests with this too, so
// the command line and the webhook never disagree.

import type { Violation } from '@longhorn-backup-guard/shared/intent/violation';
import { storageBackingOf, type StorageBacking } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import type { PvcLike } from '../admission/pvc-object.ts';
import type { AdmissionContext } from './admission-context.ts';
import { softWarnings } from './admission-warnings.ts';
import { pvcViolations } from './admission-violations.ts';

export interface PvcVerdict {
  readonly backing: StorageBacking;
  /** What the webhook refuses (a CREATE with any of these is denied). */
  readonly refused: readonly Violation[];
  /** Violations it only warns about (a missing enabled label), as messages. */
  readonly advisory: readonly string[];
  /** Soft problems (unknown labels, an archive date past, …). */
  readonly warnings: readonly string[];
}

/**
 * A missing enabled label is reported (by the reconciler, and here as a warning) but never
 * refused: refusing it would block every PVC of charts and StatefulSets that know nothing of
 * this product. Every other violation is refused.
 */
function isRefused(violation: Violation): boolean {
  return violation.condition !== 'missing_enabled_label';
}

export function judgePvc(namespace: string, name: string, pvc: PvcLike, context: AdmissionContext): PvcVerdict {
  const backing = storageBackingOf(pvc, context.storageClasses, context.config.provisioner);
  const warnings = softWarnings(namespace, name, pvc, backing, context);
  // Not Longhorn-backed: left alone (the warning says the labels are ignored).
  if (backing.kind === 'other') return { backing, refused: [], advisory: [], warnings };
  const violations = pvcViolations(namespace, name, pvc, context);
  const advisory =
    backing.kind === 'longhorn'
      ? violations.filter((violation) => !isRefused(violation)).map((violation) => violation.message)
      : [];
  return { backing, refused: violations.filter(isRefused), advisory, warnings };
}
