// From the objects of the input to what the webhook would see: the PVCs (a document's own, and
// those a StatefulSet's controller would make from its volumeClaimTemplates), the Namespaces'
// labels, the StorageClasses and the StatefulSets, each PVC with its way back to its lines. Pure.

import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import {
  replicaClaimName,
  sharedTemplateNameWarning,
  type StatefulSetLike,
} from '@longhorn-backup-guard/shared/statefulset/stateful-set-replica';
import type { StorageClassLike } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import type { Finding, ReplicaOrigin } from './findings.ts';
import type { ManifestObject } from './manifest-objects.ts';

type PathItem = string | number;
export type Labels = Record<string, string>;

/** A PVC to judge: a document's own, or a replica's made from a template. */
export interface Claim {
  readonly object: ManifestObject;
  /** From the object to the labels map. */
  readonly labelsPath: readonly PathItem[];
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly spec: { readonly storageClassName?: string | null };
  readonly replicaOf: ReplicaOrigin | null;
}

export interface ManifestClaims {
  readonly claims: Claim[];
  readonly namespaceLabels: Map<string, Labels>;
  readonly storageClasses: StorageClassLike[];
  readonly statefulSets: Map<string, StatefulSetLike[]>;
  /** Found while reading: labels that are no strings, a template's name on a one-replica StatefulSet. */
  readonly findings: Finding[];
  /** How many objects got which namespace because they name none. */
  readonly defaultedNamespaces: Map<string, number>;
  readonly notes: string[];
  readonly replicas: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const stringOr = (value: unknown, fallback: string): string =>
  typeof value === 'string' && value !== '' ? value : fallback;
const recordAt = (value: unknown, ...keys: string[]): Record<string, unknown> => {
  let current: unknown = value;
  for (const key of keys) current = isRecord(current) ? current[key] : undefined;
  return isRecord(current) ? current : {};
};

function wholeNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

/**
 * The ordinals worth judging, at most three however many replicas: the first two (a name the
 * template sets collides there) and the last (the longest PVC name, so the longest job name).
 */
export function ordinalsToJudge(start: number, replicas: number): number[] {
  const count = Math.max(1, replicas);
  return [...new Set([start, ...(count > 1 ? [start + 1] : []), start + count - 1])];
}

export function collectClaims(
  objects: readonly ManifestObject[],
  config: GuardConfig,
  defaultNamespace: string | null,
): ManifestClaims {
  const result: ManifestClaims = {
    claims: [],
    namespaceLabels: new Map(),
    storageClasses: [],
    statefulSets: new Map(),
    findings: [],
    defaultedNamespaces: new Map(),
    notes: [],
    replicas: 0,
  };
  const nameKey = backupLabelKeys(config.labelPrefix).name;
  let replicas = 0;

  function namespaceOf(object: ManifestObject): string {
    const given = recordAt(object.value, 'metadata').namespace;
    if (typeof given === 'string' && given !== '') return given;
    const namespace = defaultNamespace ?? 'default';
    result.defaultedNamespaces.set(namespace, (result.defaultedNamespaces.get(namespace) ?? 0) + 1);
    return namespace;
  }

  /** The labels as strings; a value that is not one is an error (kubectl refuses the object). */
  function stringLabels(
    object: ManifestObject,
    labelsPath: readonly PathItem[],
    raw: Record<string, unknown>,
    where: { namespace: string; pvc: string; replicaOf: ReplicaOrigin | null },
  ): Labels {
    const labels: Labels = {};
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value === 'string') {
        labels[key] = value;
        continue;
      }
      const written = object.sourceTextOf([...labelsPath, key]) ?? String(value);
      labels[key] = written;
      result.findings.push({
        ...where,
        severity: 'error',
        position: object.positionOf([...labelsPath, key]),
        condition: 'label_not_a_string',
        message: `label ${key}: ${written} is read by YAML as ${value === null ? 'null' : `a ${typeof value}`}, and a label value must be a string, so the object is refused: quote it (${key}: "${written}")`,
      });
    }
    return labels;
  }

  function addPvc(object: ManifestObject, metadata: Record<string, unknown>): void {
    const name = stringOr(metadata.name, '');
    const namespace = namespaceOf(object);
    if (name === '') {
      result.notes.push(
        `${object.source} document ${object.document}: a PVC without metadata.name (generateName) is not checked: the webhook cannot name its backup before it has a name`,
      );
      return;
    }
    const labelsPath = ['metadata', 'labels'];
    const labels = stringLabels(object, labelsPath, recordAt(metadata, 'labels'), {
      namespace,
      pvc: name,
      replicaOf: null,
    });
    result.claims.push({
      object,
      labelsPath,
      namespace,
      name,
      labels,
      spec: recordAt(object.value, 'spec'),
      replicaOf: null,
    });
  }

  function addStatefulSet(object: ManifestObject, metadata: Record<string, unknown>): void {
    const statefulSet = stringOr(metadata.name, '');
    const namespace = namespaceOf(object);
    const spec = recordAt(object.value, 'spec');
    const templates = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates.filter(isRecord) : [];
    const selectorLabels = recordAt(spec, 'selector', 'matchLabels');
    const inNamespace = result.statefulSets.get(namespace) ?? [];
    inNamespace.push(object.value);
    result.statefulSets.set(namespace, inNamespace);
    const ordinals = ordinalsToJudge(wholeNumber(recordAt(spec, 'ordinals').start, 0), wholeNumber(spec.replicas, 1));
    templates.forEach((template, index) => {
      const templateName = stringOr(recordAt(template, 'metadata').name, '');
      const labelsPath = ['spec', 'volumeClaimTemplates', index, 'metadata', 'labels'];
      const templateLabels = recordAt(template, 'metadata', 'labels');
      for (const ordinal of ordinals) {
        const where = {
          namespace,
          pvc: replicaClaimName(templateName, statefulSet, ordinal),
          replicaOf: { statefulSet, template: templateName, ordinal },
        };
        // The controller gives each claim the template's labels and the StatefulSet's selector labels.
        const labels = {
          ...stringLabels(object, labelsPath, templateLabels, where),
          ...stringLabels(object, ['spec', 'selector', 'matchLabels'], selectorLabels, where),
        };
        result.claims.push({
          object,
          labelsPath,
          namespace,
          name: where.pvc,
          labels,
          spec: recordAt(template, 'spec'),
          replicaOf: where.replicaOf,
        });
        replicas++;
      }
      const name = templateLabels[nameKey];
      const [only] = ordinals;
      if (typeof name === 'string' && ordinals.length === 1 && only !== undefined) {
        result.findings.push({
          severity: 'warning',
          position: object.positionOf([...labelsPath, nameKey]),
          namespace,
          pvc: replicaClaimName(templateName, statefulSet, only),
          replicaOf: { statefulSet, template: templateName, ordinal: only },
          condition: 'duplicate_name',
          message: sharedTemplateNameWarning(statefulSet, templateName, name, config.labelPrefix),
        });
      }
    });
  }

  for (const object of objects) {
    const metadata = recordAt(object.value, 'metadata');
    if (object.kind === 'Namespace') {
      const labels = Object.entries(recordAt(metadata, 'labels')).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      );
      result.namespaceLabels.set(stringOr(metadata.name, ''), Object.fromEntries(labels));
    } else if (object.kind === 'StorageClass') {
      result.storageClasses.push(object.value);
    } else if (object.kind === 'PersistentVolumeClaim') {
      addPvc(object, metadata);
    } else if (object.kind === 'StatefulSet') {
      addStatefulSet(object, metadata);
    }
  }
  return { ...result, replicas };
}
