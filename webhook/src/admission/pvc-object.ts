// The few fields of a PVC and a StorageClass that admission decisions read. Both the objects in
// an AdmissionReview (checked by readPvcObject) and the typed objects of the caches fit them.

import type { PvcStorageLike } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import { describeValue } from './describe-value.ts';

type Labels = Readonly<Record<string, string>>;

/** spec.storageClassName: absent or null means the default StorageClass, '' no class. */
export interface PvcLike extends PvcStorageLike {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    /** Matches the archive record on the PVC's job (a later PVC of the same name has another). */
    readonly uid?: string | null;
    readonly labels?: Labels | null;
    readonly deletionTimestamp?: unknown;
  };
}

/** A PVC from an AdmissionReview, checked field by field (the review is untrusted input). */
export interface PvcObject extends PvcLike {
  readonly metadata: NonNullable<PvcLike['metadata']>;
}

export type PvcRead = { readonly ok: true; readonly pvc: PvcObject } | { readonly ok: false; readonly message: string };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Labels {
  if (!isPlainObject(value)) return false;
  for (const key in value) if (typeof value[key] !== 'string') return false;
  return true;
}

function optionalString(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

/** `where` is `request.object` or `request.oldObject`, for the message. */
export function readPvcObject(value: unknown, where: string): PvcRead {
  const refuse = (problem: string): PvcRead => ({ ok: false, message: `${where} ${problem}` });
  if (!isPlainObject(value)) return refuse('is not a PersistentVolumeClaim object');
  if (value.kind !== undefined && value.kind !== 'PersistentVolumeClaim') {
    return refuse(`is a ${describeValue(value.kind)}, not a PersistentVolumeClaim: this webhook admits PVCs only`);
  }
  if (value.apiVersion !== undefined && value.apiVersion !== 'v1')
    return refuse(`has apiVersion ${describeValue(value.apiVersion)}, expected v1`);
  const metadata = value.metadata;
  if (!isPlainObject(metadata)) return refuse('has no metadata object');
  if (!optionalString(metadata.name) || !optionalString(metadata.namespace) || !optionalString(metadata.uid)) {
    return refuse('has a metadata.name, metadata.namespace or metadata.uid that is not a string');
  }
  if (metadata.labels !== undefined && metadata.labels !== null && !isStringMap(metadata.labels)) {
    return refuse('has metadata.labels that is not a map of strings to strings');
  }
  const spec = value.spec;
  if (spec !== undefined && spec !== null && !isPlainObject(spec)) return refuse('has a spec that is not an object');
  if (isPlainObject(spec) && !optionalString(spec.storageClassName))
    return refuse('has a spec.storageClassName that is not a string');
  return { ok: true, pvc: value as unknown as PvcObject };
}

export function labelsOf(pvc: PvcLike | null | undefined): Labels {
  return pvc?.metadata?.labels ?? {};
}

export function isTerminating(pvc: PvcLike): boolean {
  const timestamp = pvc.metadata?.deletionTimestamp;
  return timestamp !== undefined && timestamp !== null;
}
