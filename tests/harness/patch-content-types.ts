// The generated patch methods default to application/json-patch+json. A merge patch must say so,
// spelled exactly 'Content-Type' ('Content-type' is silently ignored); strategic merge patch is
// refused (415) on custom resources, so this project uses merge and JSON patches only.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
