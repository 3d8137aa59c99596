// Mutations are made on a copy of the labels and then diffed into a JSON Patch (RFC 6902), as
// Pepr does: the decision code never writes patch paths by hand.

export type JsonPatchOperation =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

/** One JSON Pointer token (RFC 6901): `~` -> `~0`, `/` -> `~1`, in that order. */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

type Labels = Readonly<Record<string, string>>;

/**
 * The patch that turns `metadata.labels` from `current` into `desired`. A missing (or null)
 * labels map cannot be added into, so then the whole map is added at once.
 */
export function labelsPatch(current: Labels | null | undefined, desired: Labels): JsonPatchOperation[] {
  if (current === null || current === undefined) {
    return Object.keys(desired).length === 0 ? [] : [{ op: 'add', path: '/metadata/labels', value: { ...desired } }];
  }
  const path = (key: string) => `/metadata/labels/${escapePointerToken(key)}`;
  const operations: JsonPatchOperation[] = [];
  for (const [key, value] of Object.entries(desired)) {
    if (!Object.hasOwn(current, key)) operations.push({ op: 'add', path: path(key), value });
    else if (current[key] !== value) operations.push({ op: 'replace', path: path(key), value });
  }
  for (const key of Object.keys(current)) {
    if (!Object.hasOwn(desired, key)) operations.push({ op: 'remove', path: path(key) });
  }
  return operations;
}
