// The mutating webhook: on CREATE of a Longhorn-backed PVC, fill in `<p>/enabled` from the
// namespace's policy label or the cluster default, `<p>/policy` from the namespace's default
// policy, and `<p>/name` from the PVC's own name. The
// labels are changed on a copy and diffed into a JSON Patch.

import { enabledDefault } from '@longhorn-backup-guard/shared/config/enabled-default';
import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import { defaultBackupName } from '@longhorn-backup-guard/shared/intent/backup-name-rule';
import { SETTING_NAMES } from '@longhorn-backup-guard/shared/intent/backup-settings';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { groupKeys } from '@longhorn-backup-guard/shared/intent/label-schema';
import { policyNamed } from '@longhorn-backup-guard/shared/policy/backup-policy';
import { storageBackingOf } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import type { AdmissionResponse, PvcAdmissionRequest } from '../admission/admission-review.ts';
import { labelsPatch } from '../admission/json-patch.ts';
import { allow, allowWithPatch } from '../admission/review-response.ts';
import type { AdmissionContext } from './admission-context.ts';

/**
 * The namespace's default policy (`<p>/default-policy`) for a new opted-in PVC that asks for no
 * policy and sets no schedule label (a PVC that says how it wants its backups keeps its own job).
 */
function defaultPolicy(
  labels: Readonly<Record<string, string>>,
  namespace: string,
  context: AdmissionContext,
): { policy: string | null; warnings: string[] } {
  const prefix = context.config.labelPrefix;
  const keys = backupLabelKeys(prefix);
  const namespaceKey = groupKeys('namespace', prefix).defaultPolicy;
  const wanted = context.namespaceLabels?.[namespaceKey];
  if (wanted === undefined || labels[keys.enabled] !== 'true' || labels[keys.policy] !== undefined)
    return { policy: null, warnings: [] };
  if (policyNamed(context.config.policies, wanted) === undefined) {
    const known = context.config.policies.map((policy) => policy.name).join(', ') || 'none';
    const warning = `namespace "${namespace}" has ${namespaceKey}=${JSON.stringify(wanted)}, which is not a policy of this cluster (known: ${known}): it is ignored`;
    return { policy: null, warnings: [warning] };
  }
  if (SETTING_NAMES.some((setting) => labels[keys[setting]] !== undefined)) return { policy: null, warnings: [] };
  return { policy: wanted, warnings: [] };
}

function policyLabelWarning(context: AdmissionContext, namespace: string): string[] {
  const key = context.config.namespacePolicyLabel;
  const value = context.namespaceLabels?.[key];
  if (value === undefined || value === 'true' || value === 'false') return [];
  return [`namespace "${namespace}" has ${key}=${JSON.stringify(value)}, which is not true or false: it is ignored`];
}

/** The labels the mutating webhook gives a Longhorn-backed PVC on CREATE, and its warnings. */
export function labelsOnCreate(
  namespace: string,
  pvcName: string,
  current: Readonly<Record<string, string>> | null | undefined,
  context: AdmissionContext,
): { labels: Record<string, string>; warnings: string[] } {
  const keys = backupLabelKeys(context.config.labelPrefix);
  const labels: Record<string, string> = { ...current };
  const warnings: string[] = [];
  if (labels[keys.enabled] === undefined) {
    warnings.push(...policyLabelWarning(context, namespace));
    const enabled = enabledDefault(context.config, context.namespaceLabels);
    if (enabled !== null) labels[keys.enabled] = String(enabled);
  }
  const fromNamespace = defaultPolicy(labels, namespace, context);
  warnings.push(...fromNamespace.warnings);
  if (fromNamespace.policy !== null) labels[keys.policy] = fromNamespace.policy;
  // With generateName the name is not known yet at this stage: nothing to fill in from.
  if (labels[keys.enabled] === 'true' && labels[keys.name] === undefined && pvcName !== '') {
    const name = defaultBackupName(namespace, pvcName);
    if (name !== null) labels[keys.name] = name;
  }
  return { labels, warnings };
}

export function decideMutation(request: PvcAdmissionRequest, context: AdmissionContext): AdmissionResponse {
  const { config } = context;
  const pvc = request.object;
  if (request.operation !== 'CREATE' || pvc === null || !isNamespaceInScope(config, request.namespace))
    return allow(request.uid);
  if (storageBackingOf(pvc, context.storageClasses, config.provisioner).kind !== 'longhorn') return allow(request.uid);
  const current = pvc.metadata.labels;
  const { labels, warnings } = labelsOnCreate(request.namespace, request.name, current, context);
  return allowWithPatch(request.uid, labelsPatch(current, labels), warnings);
}
