// `check`: every PVC of the input, and every PVC a StatefulSet's controller would make from its
// volumeClaimTemplates, judged exactly as the webhook would on CREATE (the mutating webhook's
// defaults first, then the validating webhook's verdict), with the other PVCs of the input as the
// namespace's PVCs. Pure: objects in, findings out. What the input cannot say (a StorageClass,
// a namespace, a namespace's policy label) is assumed and noted.

import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { replicaClaimName, sharedTemplateNameWarning, type StatefulSetLike } from '@longhorn-backup-guard/shared/statefulset/stateful-set-replica';
import { DEFAULT_CLASS_ANNOTATIONS, storageBackingOf, storageClassOf, type StorageClassLike } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import { joinWords } from '@longhorn-backup-guard/shared/text/join-words';
import type { AdmissionContext } from '@longhorn-backup-guard/webhook/decisions/admission-context';
import { labelsOnCreate } from '@longhorn-backup-guard/webhook/decisions/decide-mutation';
import { judgePvc } from '@longhorn-backup-guard/webhook/decisions/pvc-verdict';
import type { Finding, ReplicaOrigin } from './findings.ts';
import type { ManifestObject } from './manifest-objects.ts';

type PathItem = string | number;
type Labels = Record<string, string>;

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

/** A PVC to judge: a document's own, or a replica's made from a template. */
interface Claim {
  readonly object: ManifestObject;
  /** From the object to the labels map. */
  readonly labelsPath: readonly PathItem[];
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly spec: { readonly storageClassName?: string | null };
  readonly replicaOf: ReplicaOrigin | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringOr = (value: unknown, fallback: string): string => (typeof value === 'string' && value !== '' ? value : fallback);
const recordAt = (value: unknown, ...keys: string[]): Record<string, unknown> => {
  let current: unknown = value;
  for (const key of keys) current = isRecord(current) ? current[key] : undefined;
  return isRecord(current) ? current : {};
};

/**
 * The ordinals worth judging, at most three however many replicas: the first two (a name the
 * template sets collides there) and the last (the longest PVC name, so the longest job name).
 */
export function ordinalsToJudge(start: number, replicas: number): number[] {
  const count = Math.max(1, replicas);
  return [...new Set([start, ...(count > 1 ? [start + 1] : []), start + count - 1])];
}

function wholeNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

export function checkManifests(objects: readonly ManifestObject[], options: CheckOptions): CheckResult {
  const { config } = options;
  const prefix = config.labelPrefix;
  const findings: Finding[] = [];
  const notes: string[] = [];
  const defaulted = new Map<string, number>();

  function namespaceOf(object: ManifestObject): string {
    const given = recordAt(object.value, 'metadata').namespace;
    if (typeof given === 'string' && given !== '') return given;
    const namespace = options.namespace ?? 'default';
    defaulted.set(namespace, (defaulted.get(namespace) ?? 0) + 1);
    return namespace;
  }

  /** The labels as strings; a value that is not one is an error (kubectl refuses the object). */
  function stringLabels(object: ManifestObject, labelsPath: readonly PathItem[], raw: Record<string, unknown>, namespace: string, name: string, replicaOf: ReplicaOrigin | null): Labels {
    const labels: Labels = {};
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value === 'string') {
        labels[key] = value;
        continue;
      }
      const written = object.sourceTextOf([...labelsPath, key]) ?? String(value);
      labels[key] = written;
      findings.push({
        severity: 'error', position: object.positionOf([...labelsPath, key]), namespace, pvc: name, replicaOf, condition: 'label_not_a_string',
        message: `label ${key}: ${written} is read by YAML as ${value === null ? 'null' : `a ${typeof value}`}, and a label value must be a string, so the object is refused: quote it (${key}: "${written}")`,
      });
    }
    return labels;
  }

  const namespaceLabels = new Map<string, Labels>();
  const storageClasses: StorageClassLike[] = [...options.storageClasses];
  const statefulSets = new Map<string, StatefulSetLike[]>();
  const claims: Claim[] = [];
  let replicas = 0;

  for (const object of objects) {
    const metadata = recordAt(object.value, 'metadata');
    if (object.kind === 'Namespace') {
      const labels = recordAt(metadata, 'labels');
      namespaceLabels.set(stringOr(metadata.name, ''), Object.fromEntries(Object.entries(labels).filter((entry): entry is [string, string] => typeof entry[1] === 'string')));
    } else if (object.kind === 'StorageClass') {
      storageClasses.push(object.value);
    } else if (object.kind === 'PersistentVolumeClaim') {
      const name = stringOr(metadata.name, '');
      const namespace = namespaceOf(object);
      if (name === '') {
        notes.push(`${object.source} document ${object.document}: a PVC without metadata.name (generateName) is not checked: the webhook cannot name its backup before it has a name`);
        continue;
      }
      const labelsPath = ['metadata', 'labels'];
      claims.push({ object, labelsPath, namespace, name, labels: stringLabels(object, labelsPath, recordAt(metadata, 'labels'), namespace, name, null), spec: recordAt(object.value, 'spec'), replicaOf: null });
    } else if (object.kind === 'StatefulSet') {
      const statefulSet = stringOr(metadata.name, '');
      const namespace = namespaceOf(object);
      const spec = recordAt(object.value, 'spec');
      const templates = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates.filter(isRecord) : [];
      const selectorLabels = recordAt(spec, 'selector', 'matchLabels');
      statefulSets.set(namespace, [...(statefulSets.get(namespace) ?? []), object.value]);
      const ordinals = ordinalsToJudge(wholeNumber(recordAt(spec, 'ordinals').start, 0), wholeNumber(spec.replicas, 1));
      templates.forEach((template, index) => {
        const template_ = stringOr(recordAt(template, 'metadata').name, '');
        const labelsPath = ['spec', 'volumeClaimTemplates', index, 'metadata', 'labels'];
        for (const ordinal of ordinals) {
          const name = replicaClaimName(template_, statefulSet, ordinal);
          const replicaOf = { statefulSet, template: template_, ordinal };
          // The controller gives each claim the template's labels and the StatefulSet's selector labels.
          const labels = { ...stringLabels(object, labelsPath, recordAt(template, 'metadata', 'labels'), namespace, name, replicaOf), ...stringLabels(object, ['spec', 'selector', 'matchLabels'], selectorLabels, namespace, name, replicaOf) };
          claims.push({ object, labelsPath, namespace, name, labels, spec: recordAt(template, 'spec'), replicaOf });
          replicas++;
        }
        const name = recordAt(template, 'metadata', 'labels')[backupLabelKeys(prefix).name];
        if (typeof name === 'string' && ordinals.length === 1) {
          findings.push({
            severity: 'warning', position: object.positionOf([...labelsPath, backupLabelKeys(prefix).name]), namespace, pvc: replicaClaimName(template_, statefulSet, ordinals[0] ?? 0),
            replicaOf: { statefulSet, template: template_, ordinal: ordinals[0] ?? 0 }, condition: 'duplicate_name', message: sharedTemplateNameWarning(statefulSet, template_, name, prefix),
          });
        }
      });
    }
  }

  for (const [namespace, policy] of options.namespacePolicies) {
    namespaceLabels.set(namespace, { ...namespaceLabels.get(namespace), [config.namespacePolicyLabel]: String(policy) });
  }
  assumeStorageClasses(claims, storageClasses, config, notes);
  if (defaulted.size > 0) {
    const where = [...defaulted].map(([namespace, count]) => `${count} in "${namespace}"`);
    notes.push(`objects without metadata.namespace are judged in the namespace ${options.namespace === null ? 'kubectl would use by default ("default"; give --namespace to change it)' : 'given by --namespace'}: ${joinWords(where, 'and')}`);
  }

  // The mutating webhook's defaults first: the stored PVCs (and so the duplicates) carry them.
  const contexts = new Map<string, AdmissionContext>();
  const contextOf = (namespace: string): AdmissionContext => {
    let context = contexts.get(namespace);
    if (context === undefined) {
      context = { config, namespacePvcs: [], storageClasses, namespaceJobs: [], namespaceStatefulSets: statefulSets.get(namespace) ?? [], namespaceLabels: namespaceLabels.get(namespace) ?? null, now: options.now };
      contexts.set(namespace, context);
    }
    return context;
  };
  const excluded = new Map<string, number>();
  const stored: { claim: Claim; pvc: { metadata: { name: string; namespace: string; labels: Labels }; spec: Claim['spec'] }; warnings: string[] }[] = [];
  const unknownNamespaces = new Set<string>();
  for (const claim of claims) {
    if (!isNamespaceInScope(config, claim.namespace)) {
      excluded.set(claim.namespace, (excluded.get(claim.namespace) ?? 0) + 1);
      continue;
    }
    const context = contextOf(claim.namespace);
    const longhorn = storageBackingOf(claim, storageClasses, config.provisioner).kind === 'longhorn';
    const created = longhorn ? labelsOnCreate(claim.namespace, claim.name, claim.labels, context) : { labels: claim.labels, warnings: [] };
    if (longhorn && claim.labels[backupLabelKeys(prefix).enabled] === undefined && context.namespaceLabels === null) unknownNamespaces.add(claim.namespace);
    stored.push({ claim, pvc: { metadata: { name: claim.name, namespace: claim.namespace, labels: created.labels }, spec: claim.spec }, warnings: created.warnings });
  }
  const pvcsByNamespace = Map.groupBy(stored, (entry) => entry.claim.namespace);
  for (const [namespace, entries] of pvcsByNamespace) {
    contexts.set(namespace, { ...contextOf(namespace), namespacePvcs: entries.map((entry) => entry.pvc) });
  }

  for (const { claim, pvc, warnings } of stored) {
    const verdict = judgePvc(claim.namespace, claim.name, pvc, createdBefore(claim, contextOf(claim.namespace), pvcsByNamespace.get(claim.namespace) ?? []));
    const base = { namespace: claim.namespace, pvc: claim.name, replicaOf: claim.replicaOf };
    for (const violation of verdict.refused) {
      findings.push({ ...base, severity: 'error', position: claim.object.positionOf([...claim.labelsPath, violation.labelKey]), condition: violation.condition, message: violation.message });
    }
    const position = claim.object.positionOf(claim.labelsPath);
    for (const message of verdict.advisory) findings.push({ ...base, severity: 'warning', position, condition: 'missing_enabled_label', message });
    for (const message of [...warnings, ...verdict.warnings]) findings.push({ ...base, severity: 'warning', position, condition: null, message });
  }

  for (const [namespace, count] of excluded) notes.push(`${count} PVC${count === 1 ? '' : 's'} in namespace "${namespace}" not checked: the configuration leaves that namespace out`);
  for (const namespace of unknownNamespaces) {
    notes.push(`namespace "${namespace}" is not in the input: without its ${config.namespacePolicyLabel} label, a PVC without ${backupLabelKeys(prefix).enabled} gets ${config.clusterDefaultEnabled === null ? 'no default' : `the cluster default (${String(config.clusterDefaultEnabled)})`} (give the Namespace or --namespace-policy ${namespace}=true|false)`);
  }
  return { findings: dedupe(findings), notes, checked: { pvcs: claims.length - replicas, replicas } };
}

/**
 * A StatefulSet's controller creates replica 0's PVC first, then 1, …: a replica is judged against
 * the PVCs of its own template's lower ordinals only, so replica 0 is admitted and replica 1 is
 * refused, as on a cluster.
 */
function createdBefore(claim: Claim, context: AdmissionContext, entries: readonly { claim: Claim; pvc: AdmissionContext['namespacePvcs'][number] }[]): AdmissionContext {
  const replica = claim.replicaOf;
  if (replica === null) return context;
  const later = (other: Claim): boolean =>
    other.replicaOf !== null && other.replicaOf.statefulSet === replica.statefulSet && other.replicaOf.template === replica.template && other.replicaOf.ordinal > replica.ordinal;
  return { ...context, namespacePvcs: entries.filter((entry) => !later(entry.claim)).map((entry) => entry.pvc) };
}

/** A problem of a template is the same for every replica judged: reported once (the trap at the first replica it stalls). */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const replica = finding.replicaOf;
    const key = replica === null ? null : JSON.stringify([replica.statefulSet, replica.template, finding.condition === 'duplicate_name' ? finding.condition : finding.message]);
    if (key === null) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A PVC whose StorageClass is not in the input (or flags) is assumed Longhorn-backed (it is
 * checked), and so is the cluster's default class when no default is given; both are noted.
 */
function assumeStorageClasses(claims: readonly Claim[], storageClasses: StorageClassLike[], config: GuardConfig, notes: string[]): void {
  const assumed = new Set<string>();
  let assumedDefault = false;
  for (const claim of claims) {
    const name = claim.spec.storageClassName;
    if (name === '' || storageClassOf(claim, storageClasses) !== undefined) continue;
    if (name === undefined || name === null) {
      storageClasses.push({ metadata: { name: '(the cluster default)', annotations: { [DEFAULT_CLASS_ANNOTATIONS[0]]: 'true' } }, provisioner: config.provisioner });
      assumedDefault = true;
    } else {
      storageClasses.push({ metadata: { name }, provisioner: config.provisioner });
      assumed.add(name);
    }
  }
  if (assumed.size > 0) {
    const classes = joinWords([...assumed].sort().map((name) => `"${name}"`), 'and');
    notes.push(`StorageClass ${classes} is not in the input: assumed to be Longhorn's (${config.provisioner}); give the StorageClass or --storage-class NAME=PROVISIONER if not`);
  }
  if (assumedDefault) notes.push(`PVCs without storageClassName get the cluster's default class, which is not in the input: assumed to be Longhorn's; give it (with the is-default-class annotation) or --storage-class NAME=PROVISIONER --default-storage-class NAME if not`);
}
