// A keyed work queue with client-go's guarantees: a key waits in the queue at most once; a key
// being processed is never handed to a second worker, and if it is added meanwhile it is processed
// once more after done(); failures back off per key (5 ms doubling to 1000 s) until forget();
// addAfter() schedules a later visit. shutDown() drops what waits and lets in-flight work finish.
// Two priorities, as controller-runtime's priority queue: a key added `low` (a full resync, the
// start of leading, a configuration change: every key at once) is handed out only when no normal
// key waits, so a change seen on a watch never waits behind thousands of resync keys; a key waiting
// low that is added again at normal priority moves up.
import { backoffDelayMs, itemBackoff, type BackoffPolicy } from '@longhorn-backup-guard/shared/kube/informer/backoff';
import type { WorkQueueMetrics } from './controller-metrics.ts';

export interface WorkQueueOptions {
  /** The `name` label of the workqueue_* metrics. */
  name: string;
  metrics?: WorkQueueMetrics;
  backoff?: BackoffPolicy;
}

const now = (): number => performance.now();

export type Priority = 'normal' | 'low';

/** A FIFO with O(1) pushes and pops (Array.shift is O(n): 20,000 keys of a resync made it quadratic). */
class Fifo {
  #items: string[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: string): void {
    this.#items.push(item);
  }

  shift(): string | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    if (this.#head * 2 >= this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/** The longest delay setTimeout keeps; a longer one fires at once (the orphan grace period may be 30 days). */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class WorkQueue {
  readonly name: string;
  #metrics: WorkQueueMetrics | undefined;
  #backoff: BackoffPolicy;
  #normal = new Fifo();
  /** May hold keys since moved up to #normal (skipped when met: #queued says where a key is). */
  #low = new Fifo();
  /** Keys in #normal or #low, and which. */
  #queued = new Map<string, Priority>();
  /** Keys waiting to be processed (queued, or added again while processing); value: when added. */
  #dirty = new Map<string, number>();
  /** Dirty keys added only at low priority. */
  #dirtyLow = new Set<string>();
  /** Keys handed to a worker and not yet done; value: when handed out. */
  #processing = new Map<string, number>();
  #delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  #failures = new Map<string, number>();
  #waiters: ((key: string | undefined) => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.#metrics = options.metrics;
    this.#backoff = options.backoff ?? itemBackoff;
    this.#metrics?.depth.set({ name: this.name }, 0);
    this.#metrics?.adds.inc({ name: this.name }, 0);
    this.#metrics?.retries.inc({ name: this.name }, 0);
  }

  add(key: string, priority: Priority = 'normal'): void {
    if (this.#shuttingDown) return;
    if (this.#dirty.has(key)) {
      if (priority === 'normal' && this.#dirtyLow.delete(key) && this.#queued.get(key) === 'low') {
        this.#queued.set(key, 'normal');
        this.#normal.push(key);
      }
      return;
    }
    this.#dirty.set(key, now());
    if (priority === 'low') this.#dirtyLow.add(key);
    this.#metrics?.adds.inc({ name: this.name });
    this.#updateDepth();
    if (this.#processing.has(key)) return; // done() queues it again
    this.#enqueue(key);
  }

  /**
   * Adds `key` after `delayMs` (at most 2^31-1 ms, about 24.8 days: the key then comes early and is
   * simply decided again); of several pending delays for one key the earliest wins.
   */
  addAfter(key: string, requestedMs: number): void {
    if (this.#shuttingDown) return;
    if (requestedMs <= 0) {
      this.add(key);
      return;
    }
    const delayMs = Math.min(requestedMs, MAX_DELAY_MS);
    const at = now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.#delayed.set(key, { at, timer });
  }

  /** Adds `key` after its next backoff delay (a failure); counts a retry. */
  addRateLimited(key: string): void {
    if (this.#shuttingDown) return;
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    this.#metrics?.retries.inc({ name: this.name });
    this.addAfter(key, backoffDelayMs(failures, this.#backoff));
  }

  /** Clears the key's failure count: the next failure starts the backoff again at 5 ms. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** The next key to process, waiting if none; undefined once shut down. Call done(key) after. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#next();
    if (key !== undefined) return Promise.resolve(this.#handOut(key));
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks `key` processed; if it was added meanwhile it goes back into the queue. */
  done(key: string): void {
    const startedAt = this.#processing.get(key);
    if (startedAt === undefined) return;
    this.#processing.delete(key);
    this.#metrics?.workDuration.observe({ name: this.name }, (now() - startedAt) / 1000);
    if (this.#shuttingDown) {
      if (this.#processing.size === 0) for (const resolve of this.#drainWaiters.splice(0)) resolve();
      return;
    }
    if (this.#dirty.has(key)) this.#enqueue(key);
  }

  /** Keys waiting (queued or re-added while processing), not counting delayed ones. */
  get length(): number {
    return this.#dirty.size;
  }

  get processing(): number {
    return this.#processing.size;
  }

  get isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Stops the queue: later adds are ignored, waiting and delayed keys are dropped, idle get() calls
   * answer undefined. Resolves once every key handed out has been marked done.
   */
  shutDown(): Promise<void> {
    if (!this.#shuttingDown) {
      this.#shuttingDown = true;
      for (const { timer } of this.#delayed.values()) clearTimeout(timer);
      this.#delayed.clear();
      this.#normal = new Fifo();
      this.#low = new Fifo();
      this.#queued.clear();
      this.#dirty.clear();
      this.#dirtyLow.clear();
      this.#updateDepth();
      for (const resolve of this.#waiters.splice(0)) resolve(undefined);
    }
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #enqueue(key: string): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter(this.#handOut(key));
      return;
    }
    const priority: Priority = this.#dirtyLow.has(key) ? 'low' : 'normal';
    this.#queued.set(key, priority);
    (priority === 'low' ? this.#low : this.#normal).push(key);
  }

  /** The next queued key: normal ones first; entries left behind by a move up are skipped. */
  #next(): string | undefined {
    for (const [fifo, priority] of [
      [this.#normal, 'normal'],
      [this.#low, 'low'],
    ] as const) {
      for (let key = fifo.shift(); key !== undefined; key = fifo.shift()) {
        if (this.#queued.get(key) !== priority) continue;
        this.#queued.delete(key);
        return key;
      }
    }
    return undefined;
  }

  #handOut(key: string): string {
    const addedAt = this.#dirty.get(key) ?? now();
    this.#dirty.delete(key);
    this.#dirtyLow.delete(key);
    this.#processing.set(key, now());
    this.#metrics?.queueDuration.observe({ name: this.name }, (now() - addedAt) / 1000);
    this.#updateDepth();
    return key;
  }

  #updateDepth(): void {
    this.#metrics?.depth.set({ name: this.name }, this.#dirty.size);
  }
}
