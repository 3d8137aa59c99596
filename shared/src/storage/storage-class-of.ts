// Which StorageClass a PVC uses, and whether that class is Longhorn's: the part of "is this PVC
// Longhorn-backed" both the webhook and the reconciler judge by. Pure; the shapes are structural
// so the typed client's objects (creationTimestamp a Date) and raw watch/review objects (a string)
// both fit. The reconciler's second signal (bound to a Longhorn Volume) stays in the reconciler.

export interface StorageClassLike {
  readonly metadata?: {
    readonly name?: string;
    readonly annotations?: Readonly<Record<string, string>> | null;
    readonly creationTimestamp?: unknown;
  };
  readonly provisioner?: string;
}

export interface PvcStorageLike {
  readonly spec?: {
    /** Absent or null: the default StorageClass; '': no class (static binding). */
    readonly storageClassName?: string | null;
  };
}

export type StorageBacking =
  | { readonly kind: 'longhorn'; readonly storageClass: string }
  | { readonly kind: 'other'; readonly storageClass: string; readonly provisioner: string }
  /** Not decidable from StorageClasses (no class, or one not known here). */
  | { readonly kind: 'unknown' };

/** The annotations that mark the default class ("true" only), GA and the older beta one. */
export const DEFAULT_CLASS_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
] as const;

export function isDefaultStorageClass(storageClass: StorageClassLike): boolean {
  return DEFAULT_CLASS_ANNOTATIONS.some((key) => storageClass.metadata?.annotations?.[key] === 'true');
}

function creationTime(storageClass: StorageClassLike): number {
  const stamp = storageClass.metadata?.creationTimestamp;
  const time = stamp instanceof Date ? stamp.getTime() : typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
  return Number.isNaN(time) ? 0 : time;
}

/** Newest first; at the same time by name, ascending (as Kubernetes' GetDefaultClass sorts). */
function newestFirst(a: StorageClassLike, b: StorageClassLike): number {
  const byTime = creationTime(b) - creationTime(a);
  if (byTime !== 0) return byTime;
  const [nameA, nameB] = [a.metadata?.name ?? '', b.metadata?.name ?? ''];
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

/** The class a PVC without storageClassName gets: with several defaults, Kubernetes takes the newest. */
export function defaultStorageClass<T extends StorageClassLike>(storageClasses: readonly T[]): T | undefined {
  return storageClasses.filter(isDefaultStorageClass).sort(newestFirst)[0];
}

/**
 * The PVC's StorageClass: the one it names, or the default when it names none; undefined for `""`
 * or an unknown name.
 */
export function storageClassOf<T extends StorageClassLike>(
  pvc: PvcStorageLike,
  storageClasses: readonly T[],
): T | undefined {
  const name = pvc.spec?.storageClassName;
  if (name === '') return undefined;
  if (name === undefined || name === null) return defaultStorageClass(storageClasses);
  return storageClasses.find((storageClass) => storageClass.metadata?.name === name);
}

/** Whether the PVC's StorageClass is provisioned by `provisioner` (config.provisioner), not, or not known. */
export function storageBackingOf(
  pvc: PvcStorageLike,
  storageClasses: readonly StorageClassLike[],
  provisioner: string,
): StorageBacking {
  const storageClass = storageClassOf(pvc, storageClasses);
  const name = storageClass?.metadata?.name;
  if (storageClass === undefined || name === undefined) return { kind: 'unknown' };
  const classProvisioner = storageClass.provisioner ?? '';
  return classProvisioner === provisioner
    ? { kind: 'longhorn', storageClass: name }
    : { kind: 'other', storageClass: name, provisioner: classProvisioner };
}
