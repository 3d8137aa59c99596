// The validating webhook: judges the PVC as it will be stored (the apiserver has already run the
// mutating webhooks, ours included).

import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import type { Violation } from '@longhorn-backup-guard/shared/intent/violation';
import { backupLabelsDiffer } from '@longhorn-backup-guard/shared/intent/backup-labels-changed';
import type { AdmissionResponse, PvcAdmissionRequest } from '../admission/admission-review.ts';
import { labelsOf, type PvcObject } from '../admission/pvc-object.ts';
import { allow, deny } from '../admission/review-response.ts';
import type { AdmissionContext } from './admission-context.ts';
import { decideDeletion } from './decide-deletion.ts';
import { violationsMessage } from './denial-message.ts';
import { pvcViolations, violationIdentity } from './admission-violations.ts';
import { judgePvc } from './pvc-verdict.ts';

/** Whether `refused` holds a problem that `before` (the old object's) did not. */
function introducesViolation(refused: readonly Violation[], before: readonly Violation[]): boolean {
  const known = new Set(before.map(violationIdentity));
  return refused.some((violation) => !known.has(violationIdentity(violation)));
}

function decideCreateOrUpdate(
  request: PvcAdmissionRequest,
  pvc: PvcObject,
  context: AdmissionContext,
): AdmissionResponse {
  const { namespace, name, uid } = request;
  const { backing, refused, advisory, warnings } = judgePvc(namespace, name, pvc, context);
  if (backing.kind === 'other') return allow(uid, warnings);
  // An UPDATE is refused only for a problem it brings in: one that was already there (say, from
  // before the webhook existed) must not block fixing another label or opting out.
  const old = request.oldObject;
  if (
    refused.length > 0 &&
    (old === null || introducesViolation(refused, pvcViolations(namespace, name, old, context)))
  )
    return deny(uid, violationsMessage(name, refused), warnings);
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
      if (!backupLabelsDiffer(labelsOf(request.oldObject), labelsOf(request.object), config.labelPrefix))
        return allow(request.uid);
      break;
    case 'CREATE':
      break;
  }
  return request.object === null ? allow(request.uid) : decideCreateOrUpdate(request, request.object, context);
}
