// A cache whose scope (the namespaces or selector it lists) follows configuration changes without
// a gap: the replacement starts beside the current one and takes over once synced; until then the
// current one keeps serving, so the webhook never stops being ready. Scopes are compared as text.

export interface ScopedCache {
  start(): void;
  stop(): Promise<void>;
  hasSynced(): boolean;
  /** True once synced; false if stopped first. */
  whenSynced(): Promise<boolean>;
}

export class ReplaceableCache<T extends ScopedCache> {
  #current: T;
  #currentScope: string;
  #pending: { readonly cache: T; readonly scope: string } | undefined;
  #stopped = false;

  constructor(scope: string, cache: T) {
    this.#currentScope = scope;
    this.#current = cache;
  }

  get current(): T {
    return this.#current;
  }

  start(): void {
    this.#current.start();
  }

  /** Moves to `scope` (a no-op when already there or on the way); `make` builds the cache for it. */
  async follow(scope: string, make: () => T): Promise<void> {
    if (this.#stopped || (this.#pending?.scope ?? this.#currentScope) === scope) return;
    const superseded = this.#pending?.cache;
    const next = scope === this.#currentScope ? undefined : make();
    this.#pending = next === undefined ? undefined : { cache: next, scope };
    await superseded?.stop();
    if (next === undefined || this.#stopped || this.#pending?.cache !== next) return;
    next.start();
    if (!(await next.whenSynced()) || this.#pending?.cache !== next) return;
    const previous = this.#current;
    this.#current = next;
    this.#currentScope = scope;
    this.#pending = undefined;
    await previous.stop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([this.#current.stop(), this.#pending?.cache.stop()]);
  }
}
