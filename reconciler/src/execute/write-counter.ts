// Every write the reconciler makes, by resource and verb: the steady state must show none.
import { Counter, type Registry } from 'prom-client';

export type WriteVerb = 'create' | 'patch' | 'delete';

export class WriteCounter {
  readonly #counter: Counter<'resource' | 'verb'>;
  readonly #totals = new Map<string, number>();
  readonly #throttled: Counter;
  #throttledCount = 0;

  constructor(registry: Registry) {
    this.#throttled = new Counter({
      name: 'backup_reconciler_write_throttled_total',
      help: 'Writes the apiserver answered with 429 or Retry-After; each paused every write of the reconciler for that long.',
      registers: [registry],
    });
    this.#counter = new Counter({
      name: 'backup_reconciler_writes_total',
      help: 'Writes the reconciler sent and the apiserver accepted, by resource and verb.',
      labelNames: ['resource', 'verb'],
      registers: [registry],
    });
  }

  count(resource: string, verb: WriteVerb): void {
    this.#counter.inc({ resource, verb });
    const key = `${resource}/${verb}`;
    this.#totals.set(key, (this.#totals.get(key) ?? 0) + 1);
  }

  /** A write met a 429 (or Retry-After). */
  throttled(): void {
    this.#throttled.inc();
    this.#throttledCount++;
  }

  /** How many writes met a 429 (or Retry-After) so far. */
  throttledCount(): number {
    return this.#throttledCount;
  }

  /** Totals so far by `resource/verb`, e.g. `recurringjobs/patch`. */
  snapshot(): ReadonlyMap<string, number> {
    return new Map(this.#totals);
  }

  /** Writes so far to `resource`, or to every resource but Events when omitted. */
  total(resource?: string): number {
    let sum = 0;
    for (const [key, value] of this.#totals) {
      const [name] = key.split('/');
      if (resource === undefined ? name !== 'events' : name === resource) sum += value;
    }
    return sum;
  }
}
