// The mutating webhook: on CREATE of a Longhorn-backed PVC, fill in `<p>/enabled` from the
// namespace's policy label or the cluster default, and `<p>/name` from the PVC's own name. The
// labels it adds become a JSON Patch.

import { enabledDefault } from '@longhorn-backup-guard/shared/config/enabled-default';
import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import { defaultBackupName } from '@longhorn-backup-guard/shared/intent/backup-name-rule';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { storageBackingOf } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import type { AdmissionResponse, PvcAdmissionRequest } from '../admission/admission-review.ts';
import { labelsSetPatch } from '../admission/json-patch.ts';
import { allow, allowWithPatch } from '../admission/review-response.ts';
import type { AdmissionContext } from './admission-context.ts';

function policyLabelWarning(context: AdmissionContext, namespace: string): string[] {
  const key = context.config.namespacePolicyLabel;
  const value = context.namespaceLabels?.[key];
  if (value === undefined || value === 'true' || value === 'false') return [];
  return [`namespace "${namespace}" has ${key}=${JSON.stringify(value)}, which is not true or false: it is ignored`];
}

/**
 * The labels the mutating webhook sets on a Longhorn-backed PVC on CREATE (only those it adds: a
 * PVC's other labels, however many, are not copied), and its warnings.
 */
export function labelsAddedOnCreate(
  namespace: string,
  pvcName: string,
  current: Readonly<Record<string, string>> | null | undefined,
  context: AdmissionContext,
): { added: Record<string, string>; warnings: string[] } {
  const keys = backupLabelKeys(context.config.labelPrefix);
  const added: Record<string, string> = {};
  const warnings: string[] = [];
  let enabled = current?.[keys.enabled];
  if (enabled === undefined) {
    warnings.push(...policyLabelWarning(context, namespace));
    const byDefault = enabledDefault(context.config, context.namespaceLabels);
    if (byDefault !== null) enabled = added[keys.enabled] = String(byDefault);
  }
  // With generateName the name is not known yet at this stage: nothing to fill in from.
  if (enabled === 'true' && current?.[keys.name] === undefined && pvcName !== '') {
    const name = defaultBackupName(namespace, pvcName);
    if (name !== null) added[keys.name] = name;
  }
  return { added, warnings };
}

/** The labels a Longhorn-backed PVC has after the mutating webhook on CREATE, and its warnings. */
export function labelsOnCreate(
  namespace: string,
  pvcName: string,
  current: Readonly<Record<string, string>> | null | undefined,
  context: AdmissionContext,
): { labels: Record<string, string>; warnings: string[] } {
  const { added, warnings } = labelsAddedOnCreate(namespace, pvcName, current, context);
  return { labels: { ...current, ...added }, warnings };
}

export function decideMutation(request: PvcAdmissionRequest, context: AdmissionContext): AdmissionResponse {
  const { config } = context;
  const pvc = request.object;
  if (request.operation !== 'CREATE' || pvc === null || !isNamespaceInScope(config, request.namespace))
    return allow(request.uid);
  if (storageBackingOf(pvc, context.storageClasses, config.provisioner).kind !== 'longhorn') return allow(request.uid);
  const current = pvc.metadata.labels;
  const { added, warnings } = labelsAddedOnCreate(request.namespace, request.name, current, context);
  return allowWithPatch(request.uid, labelsSetPatch(current, added), warnings);
}
