// A work item is one PVC, by `namespace/pvcName`, whether the PVC exists or only its jobs do.

export interface PvcKey {
  readonly namespace: string;
  readonly pvcName: string;
}

export function keyString(key: PvcKey): string {
  return `${key.namespace}/${key.pvcName}`;
}

/** The key of `namespace/name`; namespaces and names never contain '/'. */
export function parseKey(text: string): PvcKey {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) throw new Error(`not a PVC key: ${JSON.stringify(text)}`);
  return { namespace: text.slice(0, slash), pvcName: text.slice(slash + 1) };
}
