// Which Events are worth writing, after client-go's EventCorrelator (tools/record/events_cache.go),
// so that a resync storm or a flapping object cannot flood etcd with Events:
// - seen: the same Event (same name, i.e. object, reason and message) written within `rememberMs`
//   is not attempted again (it would be a 409);
// - aggregation: after `similarLimit` Events of one object with one type and reason but different
//   messages within `similarWindowMs`, the rest of the window is told once, as one Event
//   "(combined from similar events)", as client-go does;
// - spam filter: each object gets a token bucket (client-go's defaults: burst 25, one token per
//   5 minutes); without a token the Event is dropped.
// Every map is bounded (least recently used dropped first) and each decision is O(1).

import { BoundedMap } from '@longhorn-backup-guard/shared/collections/bounded-map';
import type { EventSpec, InvolvedObject } from '../model/actions.ts';
import { takeToken, type BucketState, type TokenBucket } from '../machinery/token-bucket.ts';

export interface CorrelatorOptions {
  readonly rememberMs?: number;
  readonly similarLimit?: number;
  readonly similarWindowMs?: number;
  readonly perObject?: TokenBucket;
  /** Entries each map holds at most. */
  readonly capacity?: number;
}

export type Verdict =
  | { readonly write: true; readonly event: EventSpec }
  | { readonly write: false; readonly why: 'seen' | 'aggregated' | 'spam' };

const AGGREGATED = '(combined from similar events): ';

function objectId(object: InvolvedObject): string {
  return object.uid ?? `${object.kind}/${object.namespace}/${object.name}`;
}

export class EventCorrelator {
  readonly #rememberMs: number;
  readonly #similarLimit: number;
  readonly #similarWindowMs: number;
  readonly #perObject: TokenBucket;
  /** Event name -> until when it is not attempted again. */
  readonly #seen: BoundedMap<string, number>;
  /** object + type + reason -> Events in the current window. */
  readonly #similar: BoundedMap<string, { readonly since: number; count: number }>;
  readonly #buckets: BoundedMap<string, BucketState>;

  constructor(options: CorrelatorOptions = {}) {
    this.#rememberMs = options.rememberMs ?? 30 * 60_000;
    this.#similarLimit = options.similarLimit ?? 10;
    this.#similarWindowMs = options.similarWindowMs ?? 10 * 60_000;
    this.#perObject = options.perObject ?? { ratePerSecond: 1 / 300, burst: 25 };
    const capacity = options.capacity ?? 10_000;
    this.#seen = new BoundedMap(capacity);
    this.#similar = new BoundedMap(capacity);
    this.#buckets = new BoundedMap(capacity);
  }

  /** Whether to write `event` (named `name`) now, and as what. */
  decide(event: EventSpec, name: string, nowMs: number): Verdict {
    const until = this.#seen.get(name);
    if (until !== undefined && until > nowMs) return { write: false, why: 'seen' };
    const object = objectId(event.involvedObject);
    const similarKey = `${object}\n${event.type}\n${event.reason}`;
    let similar = this.#similar.get(similarKey);
    if (similar === undefined || nowMs - similar.since >= this.#similarWindowMs) similar = { since: nowMs, count: 0 };
    similar.count++;
    this.#similar.set(similarKey, similar);
    let told = event;
    if (similar.count > this.#similarLimit) {
      if (similar.count > this.#similarLimit + 1) return { write: false, why: 'aggregated' };
      told = { ...event, message: `${AGGREGATED}${event.message}` };
    }
    const bucket = this.#buckets.get(object) ?? { tokens: this.#perObject.burst, at: nowMs };
    const taken = takeToken(this.#perObject, bucket, nowMs);
    if (taken.waitMs > 0) {
      this.#buckets.set(object, bucket);
      return { write: false, why: 'spam' };
    }
    this.#buckets.set(object, taken.state);
    return { write: true, event: told };
  }

  /** The apiserver has `name` (written now, or it already existed). */
  remember(name: string, nowMs: number): void {
    this.#seen.set(name, nowMs + this.#rememberMs);
  }
}
