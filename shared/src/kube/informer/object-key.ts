// The store key of an object: `namespace/name`, or `name` for cluster-scoped objects (client-go's
// MetaNamespaceKeyFunc), and the minimal shape an informer needs from an object.

export interface KubeObject {
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
  };
}

export function objectKey(object: KubeObject): string {
  const name = object.metadata?.name;
  if (!name) throw new Error('object without metadata.name');
  const namespace = object.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/** Inverse of objectKey. */
export function splitObjectKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
