// The PVCs of a review's namespace as a decision reads them: all of them (rarely: a name clash),
// or only those with one label value (every review: the duplicate-name check). The cache answers
// the second from an index (shared/src/collections/backup-name-index.ts); a plain list walks, for tests.
import type { PvcLike } from '../admission/pvc-object.ts';

export interface NamespacePvcs {
  /** Every PVC of the namespace as cached (the reviewed PVC itself may be among them). */
  all(): readonly PvcLike[];
  /** The PVCs whose label `labelKey` is `value`. */
  labelled(labelKey: string, value: string): readonly PvcLike[];
}

/** A namespace's PVCs from a list, each question answered by walking it. */
export function listedPvcs(pvcs: readonly PvcLike[]): NamespacePvcs {
  return {
    all: () => pvcs,
    labelled: (labelKey, value) => pvcs.filter((pvc) => pvc.metadata?.labels?.[labelKey] === value),
  };
}
