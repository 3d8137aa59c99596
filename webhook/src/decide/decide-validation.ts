// The validating webhook: judges the PVC as it will be stored (the apiserver has already run the
// mutating webhooks, ours included).

import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import { backupLabelsDiffer } from '@longhorn-backup-guard/shared/intent/backup-labels-changed';
import type { Violation } from '@longhorn-backup-guard/shared/intent/violation';
import { storageBackingOf } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import type { AdmissionResponse, PvcAdmissionRequest } from '../admission/admission-review.ts';
import { labelsOf, type PvcObject } from '../admission/pvc-object.ts';
import { allow, deny } from '../admission/review-response.ts';
import type { AdmissionContext } from './admission-context.ts';
import { softWarnings } from './admission-warnings.ts';
import { decideDeletion } from './decide-deletion.ts';
import { violationsMessage } from './denial-message.ts';
import { pvcViolations, violationIdentity } from './admission-violations.ts';

/**
 * A missing enabled label is reported (by the reconciler, and here as a warning) but never
 * refused: refusing it would block every PVC of charts and StatefulSets that know nothing of
 * this product. Every other violation is refused.
 */
function isRefused(violation: Violation): boolean {
  return violation.condition !== 'missing_enabled_label';
}

function decideCreateOrUpdate(request: PvcAdmissionRequest, pvc: PvcObject, context: AdmissionContext): AdmissionResponse {
  const { namespace, name, uid } = request;
  const backing = storageBackingOf(pvc, context.storageClasses, context.config.provisioner);
  const warnings = softWarnings(namespace, name, pvc, backing, context);
  // Not Longhorn-backed: left alone (the warning says the labels are ignored).
  if (backing.kind === 'other') return allow(uid, warnings);

  const violations = pvcViolations(namespace, name, pvc, context);
  const refused = violations.filter(isRefused);
  const advisory = backing.kind === 'longhorn' ? violations.filter((violation) => !isRefused(violation)).map((violation) => violation.message) : [];
  // An UPDATE is refused only for a problem it brings in: one that was already there (say, from
  // before the webhook existed) must not block fixing another label or opting out.
  const old = request.oldObject;
  const before = old === null ? new Set<string>() : new Set(pvcViolations(namespace, name, old, context).map(violationIdentity));
  const introduced = refused.filter((violation) => !before.has(violationIdentity(violation)));
  if (introduced.length > 0) return deny(uid, violationsMessage(name, refused), warnings);
  return allow(uid, [...refused.map((violation) => violation.message), ...advisory, ...warnings]);
}

export function decideValidation(request: PvcAdmissionRequest, context: AdmissionContext): AdmissionResponse {
  const { config } = context;
  if (!isNamespaceInScope(config, request.namespace)) return allow(request.uid);
  switch (request.operation) {
    case 'DELETE':
      return decideDeletion(request, context);
    case 'CONNECT':
      return allow(request.uid);
    case 'UPDATE':
      // Binding, resizing, the PV binder's spec.volumeName: whatever the labels hold, an update
      // that leaves the backup labels as they were is always admitted.
      if (!backupLabelsDiffer(labelsOf(request.oldObject), labelsOf(request.object), config.labelPrefix)) return allow(request.uid);
      break;
    case 'CREATE':
      break;
  }
  return request.object === null ? allow(request.uid) : decideCreateOrUpdate(request, request.object, context);
}
