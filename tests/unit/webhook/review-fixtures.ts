// Builders for admission decision tests: AdmissionReview bodies, contexts and patch application.
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import { jobNameFor } from '@longhorn-backup-guard/shared/intent/job-name';
import { ownershipLabels } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import {
  completionPatch,
  startPatch,
  type JobAnnotationPatch,
} from '@longhorn-backup-guard/reconciler/archive/archive-record-patches';
import {
  readAdmissionReview,
  type Operation,
  type PvcAdmissionRequest,
} from '@longhorn-backup-guard/webhook/admission/admission-review';
import type { StorageClassLike } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import type { PvcLike } from '@longhorn-backup-guard/webhook/admission/pvc-object';
import type { AdmissionContext } from '@longhorn-backup-guard/webhook/decide/admission-context';
import { listedPvcs } from '@longhorn-backup-guard/webhook/decide/namespace-pvcs';

export const P = 'backup.vluwte.nl';
export const NS = 'team';

export const longhornClass: StorageClassLike = {
  metadata: {
    name: 'longhorn',
    annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    creationTimestamp: '2026-01-01T00:00:00Z',
  },
  provisioner: 'driver.longhorn.io',
};
export const nfsClass: StorageClassLike = {
  metadata: { name: 'nfs', creationTimestamp: '2026-01-01T00:00:00Z' },
  provisioner: 'nfs.csi.k8s.io',
};

export function pvc(
  name: string,
  labels?: Record<string, string> | null,
  spec: Record<string, unknown> = { storageClassName: 'longhorn' },
  extra: Record<string, unknown> = {},
) {
  const metadata: Record<string, unknown> = { name, namespace: NS, ...extra };
  if (labels !== undefined) metadata.labels = labels;
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata, spec };
}

export function review(
  operation: Operation,
  object: unknown,
  oldObject?: unknown,
  uid = 'uid-1',
): Record<string, unknown> {
  const subject = (object ?? oldObject) as { metadata?: { name?: string } } | undefined;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'PersistentVolumeClaim' },
      resource: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
      operation,
      namespace: NS,
      name: subject?.metadata?.name ?? '',
      object: object ?? null,
      oldObject: oldObject ?? null,
    },
  };
}

export function request(operation: Operation, object: unknown, oldObject?: unknown): PvcAdmissionRequest {
  const read = readAdmissionReview(review(operation, object, oldObject));
  if (!read.ok) throw new Error(read.message);
  return read.request;
}

/** The namespace's PVCs are given as a list (listedPvcs walks it; the cache's index is tested against it). */
export function context(
  overrides: Omit<Partial<AdmissionContext>, 'namespacePvcs'> & {
    namespacePvcs?: readonly PvcLike[];
    configChanges?: Partial<GuardConfig>;
  } = {},
): AdmissionContext {
  const { configChanges, namespacePvcs = [], ...rest } = overrides;
  return {
    config: { ...defaultConfig, ...configChanges },
    namespacePvcs: listedPvcs(namespacePvcs),
    storageClasses: [longhornClass, nfsClass],
    namespaceJobs: [],
    namespaceStatefulSets: [],
    namespaceLabels: {},
    now: new Date('2026-06-01T12:00:00Z'),
    ...rest,
  };
}

export const labels = (entries: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(entries).map(([key, value]) => [key.includes('/') ? key : `${P}/${key}`, value]));

export function otherPvc(name: string, entries: Record<string, string>, extra: Record<string, unknown> = {}): PvcLike {
  return pvc(name, labels(entries), { storageClassName: 'longhorn' }, extra);
}

/** The annotations left after these merge patches of them, in order (null deletes a key). */
export function annotationsAfter(...patches: JobAnnotationPatch[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const patch of patches) {
    for (const [key, value] of Object.entries(patch.metadata.annotations)) {
      if (value === null) delete annotations[key];
      else annotations[key] = value;
    }
  }
  return annotations;
}

/** The reconciler's patches for the archive of `pvcUid`: its start, and its completion when `completed`. */
export function archivePatches(
  pvcName: string,
  pvcUid: string,
  jobName: string,
  completed = true,
): JobAnnotationPatch[] {
  const start = startPatch(
    P,
    { volume: `pvc-${pvcUid}`, pvc: pvcName, pvcUid, attempt: 1 },
    new Date('2026-05-31T10:00:00Z'),
  );
  const result = {
    backup: `${jobName}-archive-0a1b2c3d-1`,
    url: 's3://backups@us-east-1/?backup=backup-0a1b2c3d&volume=pvc-x',
    completedAt: '2026-05-31T10:05:00Z',
  };
  return completed ? [start, completionPatch(P, result)] : [start];
}

/** The annotations of a job whose archive of `pvcUid` completed, as the reconciler writes them. */
export function completedArchive(pvcName: string, pvcUid: string): Record<string, string> {
  return annotationsAfter(...archivePatches(pvcName, pvcUid, jobNameFor(NS, pvcName)));
}

/** A managed RecurringJob made for `pvcName` in NS (named from `backupName`), with these annotations. */
export function managedJob(
  pvcName: string,
  backupName: string,
  annotations: Record<string, string> = {},
  labels = ownershipLabels(NS, pvcName, defaultConfig),
): RecurringJob {
  return {
    metadata: { name: jobNameFor(NS, backupName), namespace: 'longhorn-system', labels, annotations },
    spec: { task: 'backup' },
  };
}

type Json = unknown;

/** A minimal RFC 6902 applier (add / replace / remove), strict as the apiserver is. */
export function applyJsonPatch(
  document: Json,
  operations: readonly { op: string; path: string; value?: unknown }[],
): Json {
  const root = structuredClone(document) as Record<string, unknown>;
  for (const operation of operations) {
    const tokens = operation.path
      .split('/')
      .slice(1)
      .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = tokens.pop();
    if (last === undefined) throw new Error(`bad path ${operation.path}`);
    let parent: unknown = root;
    for (const token of tokens) {
      if (typeof parent !== 'object' || parent === null || !Object.hasOwn(parent, token))
        throw new Error(`path ${operation.path} does not exist`);
      parent = (parent as Record<string, unknown>)[token];
    }
    if (typeof parent !== 'object' || parent === null || Array.isArray(parent))
      throw new Error(`parent of ${operation.path} is not an object`);
    const target = parent as Record<string, unknown>;
    if (operation.op === 'add') target[last] = operation.value;
    else if (operation.op === 'replace' || operation.op === 'remove') {
      if (!Object.hasOwn(target, last)) throw new Error(`${operation.op} of missing ${operation.path}`);
      if (operation.op === 'replace') target[last] = operation.value;
      else delete target[last];
    } else throw new Error(`unexpected op ${operation.op}`);
  }
  return root;
}

export function decodePatch(patch: string | undefined): { op: string; path: string; value?: unknown }[] {
  if (patch === undefined) return [];
  return JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as { op: string; path: string; value?: unknown }[];
}
