// The resourceVersion each of the reconciler's own creates and patches left an object at, so that a
// decision taken on a cached copy older than that write is not acted on. A key can be reconciled
// again before the watch has brought back the reconciler's own last write of an object (another
// event for the key came meanwhile); the decision then repeats a write already done (a second
// identical patch, a create answered 409). The watch event of the write enqueues the key anyway,
// so waiting for it loses nothing. As client-go's MutationCache (tools/cache/mutation_cache.go),
// resourceVersions are compared as integers, which etcd-backed apiservers give; one that is not
// an integer never holds a write back. An entry expires after EXPECTATION_TTL_MS (the object may
// have been deleted since, and its watch event not come), and only the latest writes are kept.

import { BoundedMap } from '@longhorn-backup-guard/shared/collections/bounded-map';
import type { ObjectTarget } from '../model/actions.ts';

/** How long a written version is waited for in the cache; then decisions go ahead as before. */
export const EXPECTATION_TTL_MS = 10_000;
const CAPACITY = 4_096;

interface Written {
  readonly version: bigint;
  readonly atMs: number;
}

function targetKey(target: ObjectTarget): string {
  return `${target.resource}/${target.namespace}/${target.name}`;
}

function asVersion(resourceVersion: string | undefined): bigint | undefined {
  return resourceVersion !== undefined && /^[0-9]{1,30}$/.test(resourceVersion) ? BigInt(resourceVersion) : undefined;
}

export class WrittenVersions {
  readonly #written = new BoundedMap<string, Written>(CAPACITY);
  readonly #nowMs: () => number;

  constructor(nowMs: () => number = () => performance.now()) {
    this.#nowMs = nowMs;
  }

  /** A create or patch of `target` answered with `resourceVersion`. */
  wrote(target: ObjectTarget, resourceVersion: string | undefined): void {
    const version = asVersion(resourceVersion);
    if (version === undefined) this.#written.delete(targetKey(target));
    else this.#written.set(targetKey(target), { version, atMs: this.#nowMs() });
  }

  /** `target` was deleted: nothing to wait for. */
  deleted(target: ObjectTarget): void {
    this.#written.delete(targetKey(target));
  }

  /**
   * Whether the cached copy of `target` (its resourceVersion, undefined when not cached) is older
   * than the reconciler's own last write of it. Forgets the write once the cache has it.
   */
  isBehind(target: ObjectTarget, cachedResourceVersion: string | undefined): boolean {
    const key = targetKey(target);
    const written = this.#written.get(key);
    if (written === undefined) return false;
    if (this.#nowMs() - written.atMs > EXPECTATION_TTL_MS) {
      this.#written.delete(key);
      return false;
    }
    if (cachedResourceVersion === undefined) return true;
    const cached = asVersion(cachedResourceVersion);
    if (cached === undefined || cached >= written.version) {
      this.#written.delete(key);
      return false;
    }
    return true;
  }
}
