// Mutations are stated as labels (the labels to set, or the labels wanted) and turned into a JSON
// Patch (RFC 6902) here, as Pepr does: the decision code never writes patch paths by hand.

export type JsonPatchOperation =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

/** One JSON Pointer token (RFC 6901): `~` -> `~0`, `/` -> `~1`, in that order. */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

type Labels = Readonly<Record<string, string>>;

const labelPath = (key: string) => `/metadata/labels/${escapePointerToken(key)}`;

/**
 * The patch that sets `changes` in `metadata.labels` (add or replace), the other labels left as they
 * are: its work grows with the changes, not with the labels (a PVC may come with 40,000). A missing
 * (or null) labels map cannot be added into, so then the whole map is added at once.
 */
export function labelsSetPatch(current: Labels | null | undefined, changes: Labels): JsonPatchOperation[] {
  if (current === null || current === undefined) {
    return Object.keys(changes).length === 0 ? [] : [{ op: 'add', path: '/metadata/labels', value: { ...changes } }];
  }
  const operations: JsonPatchOperation[] = [];
  for (const [key, value] of Object.entries(changes)) {
    if (!Object.hasOwn(current, key)) operations.push({ op: 'add', path: labelPath(key), value });
    else if (current[key] !== value) operations.push({ op: 'replace', path: labelPath(key), value });
  }
  return operations;
}
