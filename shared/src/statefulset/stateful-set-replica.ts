// A StatefulSet's controller creates one PVC per volumeClaimTemplate and replica, named
// `<template>-<statefulset>-<ordinal>`, with the template's labels. A template that sets
// `<p>/name` therefore gives every replica the same backup name: the first replica's PVC is
// admitted, the second is refused as a duplicate, and the StatefulSet stalls at that replica. The
// webhook (when it refuses) and `check` (before anything reaches a cluster) both recognise a
// replica here and say what a StatefulSet can do about it. Pure.

import { defaultBackupName } from '../intent/backup-name-rule.ts';
import { alsoUsedBy } from '../intent/duplicate-names.ts';
import { backupLabelKeys } from '../intent/label-keys.ts';
import { jobNameFor } from '../intent/job-name.ts';
import { labelViolation, type Violation } from '../intent/violation.ts';

type Labels = Readonly<Record<string, string>>;

/** The fields of a StatefulSet this reads; typed client objects and parsed manifests both fit. */
export interface StatefulSetLike {
  readonly metadata?: { readonly name?: string; readonly namespace?: string } | undefined;
  readonly spec?:
    | {
        readonly replicas?: number | null;
        readonly volumeClaimTemplates?:
          readonly { readonly metadata?: { readonly name?: string; readonly labels?: Labels | null } }[] | null;
      }
    | undefined;
}

export interface StatefulSetReplica {
  readonly statefulSet: string;
  readonly template: string;
  readonly ordinal: number;
  /** The template's labels, which every replica's PVC starts with. */
  readonly templateLabels: Labels;
}

/** The name the StatefulSet controller gives the PVC of `template` for replica `ordinal`. */
export function replicaClaimName(template: string, statefulSet: string, ordinal: number): string {
  return `${template}-${statefulSet}-${ordinal}`;
}

const ORDINAL_SUFFIX = /-(0|[1-9][0-9]{0,8})$/;

/** The StatefulSet replica (of those given, one namespace) whose PVC has this name, or null. */
export function statefulSetReplicaOf(
  pvcName: string,
  statefulSets: readonly StatefulSetLike[],
): StatefulSetReplica | null {
  const match = ORDINAL_SUFFIX.exec(pvcName);
  if (match === null) return null;
  const stem = pvcName.slice(0, match.index);
  for (const statefulSet of statefulSets) {
    const name = statefulSet.metadata?.name ?? '';
    if (name === '' || !stem.endsWith(`-${name}`)) continue;
    const templateName = stem.slice(0, stem.length - name.length - 1);
    const template = (statefulSet.spec?.volumeClaimTemplates ?? []).find(
      (candidate) => candidate.metadata?.name === templateName,
    );
    if (template !== undefined)
      return {
        statefulSet: name,
        template: templateName,
        ordinal: Number(match[1]),
        templateLabels: template.metadata?.labels ?? {},
      };
  }
  return null;
}

/** Whether the template itself sets this backup name (so every replica asks for the same job). */
export function templateSetsName(replica: StatefulSetReplica, name: string, prefix: string): boolean {
  return replica.templateLabels[backupLabelKeys(prefix).name] === name;
}

/** What a StatefulSet can do about a name its template sets: the advice of the trap. */
export function sharedTemplateNameAdvice(
  namespace: string,
  replica: StatefulSetReplica,
  name: string,
  pvcName: string,
  prefix: string,
): string {
  const keys = backupLabelKeys(prefix);
  const own = defaultBackupName(namespace, pvcName);
  const after =
    own === null
      ? `PVC names like "${pvcName}" are too long for a job name in namespace "${namespace}", so also shorten the StatefulSet or template name, or opt the template out with ${keys.enabled}=false`
      : `the webhook then names each replica's backup after its own PVC (here ${keys.name}=${own})`;
  return (
    `this PVC is replica ${replica.ordinal} of StatefulSet "${replica.statefulSet}", whose volumeClaimTemplate "${replica.template}" sets ${keys.name}=${name} for every replica, ` +
    `so all its replicas ask for the one job ${jobNameFor(namespace, name)} and the StatefulSet stalls here: remove ${keys.name} from the template; ${after}. ` +
    `volumeClaimTemplates cannot be changed in place: delete the StatefulSet with --cascade=orphan (its Pods and PVCs stay) and apply it again`
  );
}

/** The `duplicate_name` violation of a replica whose template set the name that others already use. */
export function sharedTemplateNameViolation(
  namespace: string,
  replica: StatefulSetReplica,
  pvcName: string,
  name: string,
  others: readonly string[],
  prefix: string,
): Violation {
  return labelViolation(backupLabelKeys(prefix).name, name, {
    condition: 'duplicate_name',
    reason: alsoUsedBy(namespace, others),
    allowed: sharedTemplateNameAdvice(namespace, replica, name, pvcName, prefix),
    example: null,
  });
}

/** For a StatefulSet of one replica: nothing is refused yet, but the second replica would be. */
export function sharedTemplateNameWarning(statefulSet: string, template: string, name: string, prefix: string): string {
  const key = backupLabelKeys(prefix).name;
  return (
    `StatefulSet "${statefulSet}" volumeClaimTemplate "${template}" sets ${key}=${name} for every replica: a second replica's PVC would be refused ` +
    `as a duplicate and the StatefulSet would stall there; remove ${key} from the template (the webhook then names each replica's backup after its own PVC)`
  );
}
