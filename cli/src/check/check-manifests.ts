// `check`: every PVC of the input, and every PVC a StatefulSet's controller would make from its
// volumeClaimTemplates, judged exactly as the webhook would on CREATE (the mutating webhook's
// defaults first, then the validating webhook's verdict), with the other PVCs of the input as the
// namespace's PVCs. Pure: objects in, findings out. What the input cannot say (a StorageClass,
// a namespace, a namespace's policy label) is assumed and noted.

import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import {
  DEFAULT_CLASS_ANNOTATIONS,
  storageBackingOf,
  storageClassOf,
  type StorageClassLike,
} from '@longhorn-backup-guard/shared/storage/storage-class-of';
import { joinWords } from '@longhorn-backup-guard/shared/text/join-words';
import type { PvcLike } from '@longhorn-backup-guard/webhook/admission/pvc-object';
import type { AdmissionContext } from '@longhorn-backup-guard/webhook/decide/admission-context';
import { listedPvcs } from '@longhorn-backup-guard/webhook/decide/namespace-pvcs';
import { labelsOnCreate } from '@longhorn-backup-guard/webhook/decide/decide-mutation';
import { judgePvc } from '@longhorn-backup-guard/webhook/decide/pvc-verdict';
import type { Finding } from './findings.ts';
import { collectClaims, type Claim } from './manifest-claims.ts';
import type { ManifestObject } from './manifest-objects.ts';

export interface CheckOptions {
  readonly config: GuardConfig;
  /** `--namespace`: for objects that name none (else "default", noted). */
  readonly namespace: string | null;
  /** `--storage-class NAME=PROVISIONER`, next to the StorageClasses of the input. */
  readonly storageClasses: readonly StorageClassLike[];
  /** `--namespace-policy NS=true|false`: the namespace's policy label, as if its Namespace were given. */
  readonly namespacePolicies: ReadonlyMap<string, boolean>;
  readonly now: Date;
}

export interface CheckResult {
  readonly findings: Finding[];
  readonly notes: string[];
  readonly checked: { readonly pvcs: number; readonly replicas: number };
}

/** A claim as the apiserver would store it: with the mutating webhook's defaults. */
interface StoredClaim {
  readonly claim: Claim;
  readonly pvc: PvcLike;
  readonly warnings: readonly string[];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function checkManifests(objects: readonly ManifestObject[], options: CheckOptions): CheckResult {
  const { config } = options;
  const enabledKey = backupLabelKeys(config.labelPrefix).enabled;
  const collected = collectClaims(objects, config, options.namespace);
  const findings = [...collected.findings];
  const notes = [...collected.notes];
  const storageClasses = [...options.storageClasses, ...collected.storageClasses];
  const namespaceLabels = collected.namespaceLabels;
  for (const [namespace, policy] of options.namespacePolicies) {
    namespaceLabels.set(namespace, {
      ...namespaceLabels.get(namespace),
      [config.namespacePolicyLabel]: String(policy),
    });
  }
  notes.push(...assumeStorageClasses(collected.claims, storageClasses, config));
  if (collected.defaultedNamespaces.size > 0) {
    const where = [...collected.defaultedNamespaces].map(([namespace, count]) => `${count} in "${namespace}"`);
    notes.push(
      `objects without metadata.namespace are judged in the namespace ${options.namespace === null ? 'kubectl would use by default ("default"; give --namespace to change it)' : 'given by --namespace'}: ${joinWords(where, 'and')}`,
    );
  }

  const baseContext = (namespace: string): AdmissionContext => ({
    config,
    namespacePvcs: listedPvcs([]),
    storageClasses,
    namespaceJobs: [],
    namespaceStatefulSets: collected.statefulSets.get(namespace) ?? [],
    namespaceLabels: namespaceLabels.get(namespace) ?? null,
    now: options.now,
  });

  // The mutating webhook's defaults first: the stored PVCs (and so the duplicates) carry them.
  const excluded = new Map<string, number>();
  const unknownNamespaces = new Set<string>();
  const stored: StoredClaim[] = [];
  for (const claim of collected.claims) {
    if (!isNamespaceInScope(config, claim.namespace)) {
      excluded.set(claim.namespace, (excluded.get(claim.namespace) ?? 0) + 1);
      continue;
    }
    const context = baseContext(claim.namespace);
    const longhorn = storageBackingOf(claim, storageClasses, config.provisioner).kind === 'longhorn';
    const created = longhorn
      ? labelsOnCreate(claim.namespace, claim.name, claim.labels, context)
      : { labels: claim.labels, warnings: [] };
    if (longhorn && claim.labels[enabledKey] === undefined && context.namespaceLabels === null)
      unknownNamespaces.add(claim.namespace);
    stored.push({
      claim,
      pvc: { metadata: { name: claim.name, namespace: claim.namespace, labels: created.labels }, spec: claim.spec },
      warnings: created.warnings,
    });
  }

  const storedByNamespace = Map.groupBy(stored, (entry) => entry.claim.namespace);
  for (const [namespace, entries] of storedByNamespace) {
    const context = { ...baseContext(namespace), namespacePvcs: listedPvcs(entries.map((entry) => entry.pvc)) };
    for (const { claim, pvc, warnings } of entries)
      findings.push(...judged(claim, pvc, warnings, createdBefore(claim, context, entries)));
  }

  for (const [namespace, count] of excluded)
    notes.push(
      `${plural(count, 'PVC')} in namespace "${namespace}" not checked: the configuration leaves that namespace out`,
    );
  for (const namespace of unknownNamespaces) {
    const fallback =
      config.clusterDefaultEnabled === null
        ? 'no default'
        : `the cluster default (${String(config.clusterDefaultEnabled)})`;
    notes.push(
      `namespace "${namespace}" is not in the input: without its ${config.namespacePolicyLabel} label, a PVC without ${enabledKey} gets ${fallback} (give the Namespace or --namespace-policy ${namespace}=true|false)`,
    );
  }
  return {
    findings: dedupe(findings),
    notes,
    checked: { pvcs: collected.claims.length - collected.replicas, replicas: collected.replicas },
  };
}

/** The validating webhook's verdict on one stored claim, as findings at the lines they are about. */
function judged(
  claim: Claim,
  pvc: StoredClaim['pvc'],
  createWarnings: readonly string[],
  context: AdmissionContext,
): Finding[] {
  const verdict = judgePvc(claim.namespace, claim.name, pvc, context);
  const base = { namespace: claim.namespace, pvc: claim.name, replicaOf: claim.replicaOf };
  const position = claim.object.positionOf(claim.labelsPath);
  return [
    ...verdict.refused.map((violation): Finding => ({
      ...base,
      severity: 'error',
      position: claim.object.positionOf([...claim.labelsPath, violation.labelKey]),
      condition: violation.condition,
      message: violation.message,
    })),
    ...verdict.advisory.map((message): Finding => ({
      ...base,
      severity: 'warning',
      position,
      condition: 'missing_enabled_label',
      message,
    })),
    ...[...createWarnings, ...verdict.warnings].map((message): Finding => ({
      ...base,
      severity: 'warning',
      position,
      condition: null,
      message,
    })),
  ];
}

/**
 * A StatefulSet's controller creates replica 0's PVC first, then 1, …: a replica is judged against
 * the PVCs of its own template's lower ordinals only, so replica 0 is admitted and replica 1 is
 * refused, as on a cluster.
 */
function createdBefore(claim: Claim, context: AdmissionContext, entries: readonly StoredClaim[]): AdmissionContext {
  const replica = claim.replicaOf;
  if (replica === null) return context;
  const later = (other: Claim): boolean =>
    other.replicaOf !== null &&
    other.replicaOf.statefulSet === replica.statefulSet &&
    other.replicaOf.template === replica.template &&
    other.replicaOf.ordinal > replica.ordinal;
  return {
    ...context,
    namespacePvcs: listedPvcs(entries.filter((entry) => !later(entry.claim)).map((entry) => entry.pvc)),
  };
}

/**
 * A problem of a template is the same for every replica judged: reported once (the trap at the first replica it
 * stalls).
 */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const replica = finding.replicaOf;
    if (replica === null) return true;
    const key = JSON.stringify([
      replica.statefulSet,
      replica.template,
      finding.condition === 'duplicate_name' ? finding.condition : finding.message,
    ]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A PVC whose StorageClass is not in the input (or flags) is assumed Longhorn-backed (it is
 * checked), and so is the cluster's default class when no default is given: added to
 * `storageClasses`, with the notes that say so.
 */
function assumeStorageClasses(
  claims: readonly Claim[],
  storageClasses: StorageClassLike[],
  config: GuardConfig,
): string[] {
  const assumed = new Set<string>();
  let assumedDefault = false;
  for (const claim of claims) {
    const name = claim.spec.storageClassName;
    if (name === '' || storageClassOf(claim, storageClasses) !== undefined) continue;
    if (name === undefined || name === null) {
      storageClasses.push({
        metadata: { name: '(the cluster default)', annotations: { [DEFAULT_CLASS_ANNOTATIONS[0]]: 'true' } },
        provisioner: config.provisioner,
      });
      assumedDefault = true;
    } else {
      storageClasses.push({ metadata: { name }, provisioner: config.provisioner });
      assumed.add(name);
    }
  }
  const notes: string[] = [];
  if (assumed.size > 0) {
    const classes = joinWords(
      [...assumed].sort().map((name) => `"${name}"`),
      'and',
    );
    notes.push(
      `StorageClass ${classes} is not in the input: assumed to be Longhorn's (${config.provisioner}); give the StorageClass or --storage-class NAME=PROVISIONER if not`,
    );
  }
  if (assumedDefault)
    notes.push(
      `PVCs without storageClassName get the cluster's default class, which is not in the input: assumed to be Longhorn's; give it (with the is-default-class annotation) or --storage-class NAME=PROVISIONER --default-storage-class NAME if not`,
    );
  return notes;
}
