// AdmissionReview admission.k8s.io/v1 in and out. The body is untrusted: anything that is not a
// review of a PVC is refused with a message saying what is wrong (the server answers 400).

import { describeValue as describe } from './describe-value.ts';
import { isPlainObject, readPvcObject, type PvcObject } from './pvc-object.ts';

export const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
export type Operation = (typeof OPERATIONS)[number];
/** For metrics: the operation, or `unknown` when the body did not say one. */
export type OperationLabel = Operation | 'unknown';

export interface PvcAdmissionRequest {
  readonly uid: string;
  readonly operation: Operation;
  readonly namespace: string;
  /** '' on a CREATE with generateName at the mutating stage (the name is generated later). */
  readonly name: string;
  /** The PVC as it will be stored (CREATE, UPDATE); null for DELETE and CONNECT. */
  readonly object: PvcObject | null;
  /** The stored PVC (UPDATE, DELETE); null for CREATE. */
  readonly oldObject: PvcObject | null;
}

export interface AdmissionStatus {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: AdmissionStatus;
  readonly patchType?: 'JSONPatch';
  /** Base64 of a JSON Patch document. */
  readonly patch?: string;
  readonly warnings?: readonly string[];
}

export interface AdmissionReviewResponse {
  readonly apiVersion: 'admission.k8s.io/v1';
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
}

export type ReviewRead =
  | { readonly ok: true; readonly request: PvcAdmissionRequest }
  | { readonly ok: false; readonly message: string; readonly operation: OperationLabel };

function isOperation(value: unknown): value is Operation {
  return (OPERATIONS as readonly unknown[]).includes(value);
}

function isPvcKind(kind: unknown): boolean {
  return (
    isPlainObject(kind) && kind.kind === 'PersistentVolumeClaim' && (kind.group === '' || kind.group === undefined)
  );
}

export function readAdmissionReview(body: unknown): ReviewRead {
  const refuse = (message: string, operation: OperationLabel = 'unknown'): ReviewRead => ({
    ok: false,
    message,
    operation,
  });
  if (!isPlainObject(body)) return refuse('the body is not an AdmissionReview object');
  if (body.apiVersion !== 'admission.k8s.io/v1')
    return refuse(`apiVersion is ${describe(body.apiVersion)}: expected admission.k8s.io/v1`);
  if (body.kind !== 'AdmissionReview') return refuse(`kind is ${describe(body.kind)}: expected AdmissionReview`);
  const request = body.request;
  if (!isPlainObject(request)) return refuse('the AdmissionReview has no request');
  const operation = isOperation(request.operation) ? request.operation : 'unknown';
  if (typeof request.uid !== 'string' || request.uid === '')
    return refuse('request.uid is missing or empty', operation);
  if (operation === 'unknown')
    return refuse(`request.operation is ${describe(request.operation)}: expected ${OPERATIONS.join(', ')}`);
  if (!isPvcKind(request.kind)) {
    return refuse(
      `request.kind is ${describe(request.kind)}: this webhook admits PersistentVolumeClaims (group "", kind PersistentVolumeClaim) only`,
      operation,
    );
  }

  const objects: { object: PvcObject | null; oldObject: PvcObject | null } = { object: null, oldObject: null };
  const needed: readonly string[] = { CREATE: ['object'], UPDATE: ['object', 'oldObject'], DELETE: [], CONNECT: [] }[
    operation
  ];
  for (const field of ['object', 'oldObject'] as const) {
    const value = request[field];
    if (value === undefined || value === null) {
      if (needed.includes(field))
        return refuse(`request.${field} is missing: a ${operation} review carries the PVC there`, operation);
      continue;
    }
    const read = readPvcObject(value, `request.${field}`);
    if (!read.ok) return refuse(read.message, operation);
    objects[field] = read.pvc;
  }

  const subject = objects.object ?? objects.oldObject;
  const namespace =
    typeof request.namespace === 'string' && request.namespace !== '' ? request.namespace : subject?.metadata.namespace;
  if (typeof namespace !== 'string' || namespace === '')
    return refuse('request.namespace is missing: PVCs are namespaced', operation);
  const name = typeof request.name === 'string' && request.name !== '' ? request.name : (subject?.metadata.name ?? '');
  return { ok: true, request: { uid: request.uid, operation, namespace, name, ...objects } };
}

export function reviewOf(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
