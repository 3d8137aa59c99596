// The REST path of a resource collection, the same for list and watch:
// /api/v1/namespaces/ns/persistentvolumeclaims, /apis/longhorn.io/v1beta2/namespaces/ns/recurringjobs.

export interface ResourceRef {
  /** '' or absent for the core group. */
  group?: string;
  version: string;
  plural: string;
  /** Absent: all namespaces (or a cluster-scoped resource). */
  namespace?: string;
}

export function resourcePath(ref: ResourceRef): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const scope = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  return `${base}${scope}/${ref.plural}`;
}

/** The REST path of one object: /api/v1/namespaces/ns/persistentvolumeclaims/data. */
export function objectPath(ref: ResourceRef, name: string): string {
  return `${resourcePath(ref)}/${encodeURIComponent(name)}`;
}
