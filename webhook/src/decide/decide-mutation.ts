// The mutating webhook: on CREATE of a Longhorn-backed PVC, fill in `<p>/enabled` from the
// namespace's policy label or the cluster default, `<p>/policy` from the namespace's default
// policy, and `<p>/name` from the PVC's own name. The labels it adds become a JSON Patch.

import { enabledDefault } from '@longhorn-backup-guard/shared/config/enabled-default';
import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import { defaultBackupName } from '@longhorn-backup-guard/shared/intent/backup-name-rule';
import { SETTING_NAMES } from '@longhorn-backup-guard/shared/intent/backup-settings';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { groupKeys } from '@longhorn-backup-guard/shared/intent/label-schema';
import { policyNamed } from '@longhorn-backup-guard/shared/policy/backup-policy';
import { storageBackingOf } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import type { AdmissionResponse, PvcAdmissionRequest } from '../admission/admission-review.ts';
import { labelsSetPatch } from '../admission/json-patch.ts';
import { allow, allowWithPatch } from '../admission/review-response.ts';
import type { AdmissionContext } from './admission-context.ts';

/**
 * The namespace's default policy (`<p>/default-policy`) for a new opted-in PVC that asks for no
 * policy and sets no schedule label (a PVC that says how it wants its backups keeps its own job).
 */
function defaultPolicy(
  current: Readonly<Record<string, string>> | null | undefined,
  enabled: string | undefined,
  namespace: string,
  context: AdmissionContext,
): { policy: string | null; warnings: string[] } {
  const prefix = context.config.labelPrefix;
  const keys = backupLabelKeys(prefix);
  const namespaceKey = groupKeys('namespace', prefix).defaultPolicy;
  const wanted = context.namespaceLabels?.[namespaceKey];
  if (wanted === undefined || enabled !== 'true' || current?.[keys.policy] !== undefined)
    return { policy: null, warnings: [] };
  if (policyNamed(context.config.policies, wanted) === undefined) {
    const known = context.config.policies.map((policy) => policy.name).join(', ') || 'none';
    const warning = `namespace "${namespace}" has ${namespaceKey}=${JSON.stringify(wanted)}, which is not a policy of this cluster (known: ${known}): it is ignored`;
    return { policy: null, warnings: [warning] };
  }
  if (SETTING_NAMES.some((setting) => current?.[keys[setting]] !== undefined)) return { policy: null, warnings: [] };
  return { policy: wanted, warnings: [] };
}

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
  const fromNamespace = defaultPolicy(current, enabled, namespace, context);
  warnings.push(...fromNamespace.warnings);
  if (fromNamespace.policy !== null) added[keys.policy] = fromNamespace.policy;
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
