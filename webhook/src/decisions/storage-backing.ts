// Whether a PVC is Longhorn-backed, judged by its StorageClass's provisioner. The webhook runs
// before binding, so the bound PV (the reconciler's second signal) is not consulted here.

import type { PvcLike, StorageClassLike } from '../admission/pvc-object.ts';

export type StorageBacking =
  | { readonly kind: 'longhorn'; readonly storageClass: string }
  | { readonly kind: 'other'; readonly storageClass: string; readonly provisioner: string }
  /** Not decidable from StorageClasses (no class, or one the cache does not hold): treated as Longhorn for validation. */
  | { readonly kind: 'unknown' };

const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

function creationTime(storageClass: StorageClassLike): number {
  // A Date from the typed client, a string from a raw watch.
  const stamp = storageClass.metadata?.creationTimestamp;
  const time = stamp instanceof Date ? stamp.getTime() : typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
  return Number.isNaN(time) ? 0 : time;
}

/** The class a PVC without storageClassName gets: with several defaults, Kubernetes takes the newest. */
export function defaultStorageClass(storageClasses: readonly StorageClassLike[]): StorageClassLike | undefined {
  const defaults = storageClasses.filter((storageClass) =>
    DEFAULT_CLASS_ANNOTATIONS.some((key) => storageClass.metadata?.annotations?.[key] === 'true'));
  return defaults.sort((a, b) => creationTime(b) - creationTime(a) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
}

export function storageBackingOf(pvc: PvcLike, storageClasses: readonly StorageClassLike[], provisioner: string): StorageBacking {
  const className = pvc.spec?.storageClassName;
  if (className === '') return { kind: 'unknown' };
  const storageClass = className === undefined || className === null
    ? defaultStorageClass(storageClasses)
    : storageClasses.find((candidate) => candidate.metadata?.name === className);
  const name = storageClass?.metadata?.name;
  if (storageClass === undefined || name === undefined) return { kind: 'unknown' };
  const classProvisioner = storageClass.provisioner ?? '';
  return classProvisioner === provisioner ? { kind: 'longhorn', storageClass: name } : { kind: 'other', storageClass: name, provisioner: classProvisioner };
}
