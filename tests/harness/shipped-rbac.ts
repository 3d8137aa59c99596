// The RBAC a component ships (manifests/core/<component>-rbac.yaml), moved into a test's world:
// namespaced objects into the test's product and Longhorn namespaces, cluster-wide ones under a
// unique name, subjects into the product namespace, resourceNames mapped to the test's object
// names. Tests then run the component impersonating its ServiceAccount under exactly these rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot } from './paths.ts';

interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  roleRef?: { name: string };
  subjects?: { namespace?: string }[];
  rules?: { resourceNames?: string[] }[];
}

export interface ShippedRbacOptions {
  /** e.g. 'manifests/core/webhook-rbac.yaml', relative to the repository root. */
  manifest: string;
  /** The name the ClusterRole and ClusterRoleBinding get (cluster-wide: unique per test). */
  clusterName: string;
  /** Replaces the product namespace (longhorn-backup-guard). */
  guardNamespace: string;
  /** Replaces longhorn-system. */
  longhornNamespace: string;
  /** Maps a resourceName of the manifest to the test's object name. */
  renameResource: (name: string) => string;
}

/** The rewritten RBAC as one multi-document YAML text, ready for `kubectl apply -f -`. */
export function shippedRbac(options: ShippedRbacOptions): string {
  const text = readFileSync(join(repoRoot, options.manifest), 'utf8');
  const objects = parseAllDocuments(text).map((doc) => doc.toJS() as RbacObject);
  for (const object of objects) {
    if (object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding')
      object.metadata.name = options.clusterName;
    else
      object.metadata.namespace =
        object.metadata.namespace === 'longhorn-system' ? options.longhornNamespace : options.guardNamespace;
    if (object.kind === 'ClusterRoleBinding' && object.roleRef) object.roleRef.name = options.clusterName;
    for (const subject of object.subjects ?? []) subject.namespace = options.guardNamespace;
    for (const rule of object.rules ?? [])
      if (rule.resourceNames) rule.resourceNames = rule.resourceNames.map(options.renameResource);
  }
  return objects.map((object) => stringify(object)).join('---\n');
}
