// The cached PVCs, indexed the two ways admission reads them: by namespace (all of a namespace, on
// a name clash) and by namespace and backup name (every review). Fed by the PVC informers' handlers
// (pvc-cache.ts); no I/O of its own, so tests and benchmarks fill it directly.
import { BackupNameIndex } from '@longhorn-backup-guard/shared/collections/backup-name-index';
import { MultiIndex } from '@longhorn-backup-guard/shared/collections/multi-index';
import type { PvcLike } from '../admission/pvc-object.ts';
import type { NamespacePvcs } from '../decide/namespace-pvcs.ts';

export class CachedPvcs<T extends PvcLike> {
  readonly #byNamespace = new MultiIndex<T>();
  readonly #byBackupName = new BackupNameIndex<T>(() => this.#every());

  /** A view of one namespace's PVCs; it reads the cache when asked (within one decision: one snapshot). */
  inNamespace(namespace: string): NamespacePvcs {
    return {
      all: () => this.#byNamespace.get(namespace),
      labelled: (labelKey, value) => this.#byBackupName.labelled(namespace, labelKey, value),
    };
  }

  put(pvc: T): void {
    const { namespace = '', name = '' } = pvc.metadata ?? {};
    this.#byNamespace.set(namespace, name, pvc);
    this.#byBackupName.put(pvc);
  }

  remove(pvc: T): void {
    const { namespace = '', name = '' } = pvc.metadata ?? {};
    this.#byNamespace.delete(namespace, name);
    this.#byBackupName.remove(pvc);
  }

  *#every(): Iterable<T> {
    for (const namespace of this.#byNamespace.groups()) yield* this.#byNamespace.get(namespace);
  }
}
