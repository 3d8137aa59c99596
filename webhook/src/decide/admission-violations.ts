// Every violation of a PVC: its own labels (the shared intent model) plus a name that another
// PVC of the namespace already claims. The other PVCs come from a cache, so two CREATEs racing
// each other can both pass: that is inherently best-effort, and the reconciler reports any
// duplicate that slips through.

import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import {
  collidingPvcs,
  duplicateNameViolation,
  nameClaimOf,
  type NameClaim,
} from '@longhorn-backup-guard/shared/intent/duplicate-names';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';
import type { Violation } from '@longhorn-backup-guard/shared/intent/violation';
import {
  sharedTemplateNameViolation,
  statefulSetReplicaOf,
  templateSetsName,
} from '@longhorn-backup-guard/shared/statefulset/stateful-set-replica';
import { storageBackingOf } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import { isTerminating, labelsOf, type PvcLike } from '../admission/pvc-object.ts';
import type { AdmissionContext } from './admission-context.ts';

/**
 * The parsed claim of each cached PVC, per configuration. Cached objects are frozen and replaced on
 * change, so a PVC is parsed once per change (or configuration), not on every review of its
 * namespace; the entries go with the objects.
 */
const parsedClaims = new WeakMap<PvcLike, { readonly config: GuardConfig; readonly claim: NameClaim | null }>();

function claimOfCached(namespace: string, pvc: PvcLike, config: GuardConfig): NameClaim | null {
  const parsed = parsedClaims.get(pvc);
  if (parsed?.config === config) return parsed.claim;
  const claim = nameClaimOf(parseIntent({ namespace, name: pvc.metadata?.name ?? '', labels: labelsOf(pvc) }, config));
  parsedClaims.set(pvc, { config, claim });
  return claim;
}

/**
 * The claims of the other PVCs, only those on `name` when given. A PVC being deleted is left out
 * (it is on its way out; deleting and re-creating a PVC under the same name must work), and so is
 * one known not to be Longhorn-backed (it gets no job).
 */
function otherClaims(namespace: string, pvcName: string, context: AdmissionContext, name?: string): NameClaim[] {
  const nameKey = backupLabelKeys(context.config.labelPrefix).name;
  const others = name === undefined ? context.namespacePvcs.all() : context.namespacePvcs.labelled(nameKey, name);
  return others.flatMap((other) => {
    if ((other.metadata?.name ?? '') === pvcName || labelsOf(other)[nameKey] === undefined || isTerminating(other))
      return [];
    if (storageBackingOf(other, context.storageClasses, context.config.provisioner).kind === 'other') return [];
    const claim = claimOfCached(namespace, other, context.config);
    return claim === null ? [] : [claim];
  });
}

export function pvcViolations(
  namespace: string,
  pvcName: string,
  pvc: PvcLike,
  context: AdmissionContext,
): Violation[] {
  const result = parseIntent({ namespace, name: pvcName, labels: labelsOf(pvc) }, context.config);
  const violations = result.kind === 'invalid' ? [...result.violations] : [];
  const claim = nameClaimOf(result);
  // Only the PVCs with the same name label are parsed, unless there is a clash: then all claims,
  // so that the suggested free name is really free.
  if (claim !== null && otherClaims(namespace, pvcName, context, claim.name).length > 0) {
    const claims = [claim, ...otherClaims(namespace, pvcName, context)];
    const duplicate = duplicateNameViolation(namespace, claim, claims, context.config.labelPrefix);
    if (duplicate !== null) violations.push(statefulSetAware(namespace, pvcName, claim, claims, duplicate, context));
  }
  return violations;
}

/** A duplicate that a StatefulSet's template caused gets advice a StatefulSet can follow. */
function statefulSetAware(
  namespace: string,
  pvcName: string,
  claim: NameClaim,
  claims: readonly NameClaim[],
  duplicate: Violation,
  context: AdmissionContext,
): Violation {
  const prefix = context.config.labelPrefix;
  const replica = statefulSetReplicaOf(pvcName, context.namespaceStatefulSets);
  if (replica === null || !templateSetsName(replica, claim.name, prefix)) return duplicate;
  return sharedTemplateNameViolation(namespace, replica, pvcName, claim.name, collidingPvcs(claim, claims), prefix);
}

/** Two violations are the same problem when condition, label and value agree. */
export function violationIdentity(violation: Violation): string {
  return JSON.stringify([violation.condition, violation.labelKey, violation.value]);
}
