// A list-then-watch cache of one resource that never gives up (the model is client-go's reflector,
// plus Pepr's periodic relist and no-event watchdog):
//   list -> store filled, synced -> watch from the list's resourceVersion with bookmarks;
//   clean close or the client's 30 s inactivity abort -> watch again from the last resourceVersion;
//   connection failure -> watch again from there after exponential backoff with jitter (an outage
//   long enough to lose history ends in 410); 410 Gone -> relist at once; an ERROR event from the
//   apiserver or a failed list -> relist after backoff; resync period or no event or bookmark for
//   watchdogMs -> relist.
// A relist reports only differences, including deletes that happened while nothing was watched.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../logging/create-logger.ts';
import { apiStatusCode, retryAfterMs } from '../api-errors.ts';
import type { KubeClient } from '../kube-client.ts';
import { kubeClientOf, type KubeSource } from '../kube-source.ts';
import { backoffDelayMs, informerBackoff, type BackoffPolicy } from './backoff.ts';
import type { InformerMetrics } from './informer-metrics.ts';
import { withoutBookkeeping } from './lean-object.ts';
import { collectionLister, type ListFunction } from './list-collection.ts';
import type { KubeObject } from './object-key.ts';
import { applyWatchEvent, replaceWithListing, type StoreChange } from './store-change.ts';

export interface InformerHandler<T> {
  onAdd?: (object: T) => void;
  onUpdate?: (old: T, object: T) => void;
  onDelete?: (object: T) => void;
}

/** Why the informer had to start a watch over (each counts in backup_informer_restarts_total). */
export type RestartReason = 'error' | 'gone' | 'watchdog';

export interface InformerOptions<T> {
  /** Names the resource in logs and in backup_informer_restarts_total{resource}. */
  resource: string;
  /** The cluster: a KubeClient, or a kubeconfig object (kube-source.ts). */
  kubeConfig: KubeSource;
  /** The collection's REST path, for list and watch (see resourcePath()). */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Defaults to listing `path` as raw JSON, the shape watch events have. */
  list?: ListFunction<T>;
  /**
   * Keeps only what the cache reads: applied to every object as it arrives (each listed page, each
   * watch event) before it is stored or handed to handlers (default: withoutBookkeeping). The result must keep
   * metadata.name, namespace and resourceVersion.
   */
  transform?: (object: unknown) => T;
  /** Full relist that reports differences only; 0 = never. Default 10 min. */
  resyncPeriodMs?: number;
  /**
   * Relist when no event or bookmark arrived for this long (a relist counts as activity); 0 = never.
   * Default 15 min.
   */
  watchdogMs?: number;
  /** Server-side end of each watch, below the client's 30 s inactivity end. Default: 20 to 28 s at random. */
  watchTimeoutSeconds?: number;
  backoff?: BackoffPolicy;
  log: Logger;
  metrics?: InformerMetrics;
  handler?: InformerHandler<T>;
  onRestart?: (reason: RestartReason, error?: unknown) => void;
}

type WatchOutcome =
  | { kind: 'ended'; sawEvent: boolean; lastedMs: number }
  | { kind: 'gone' }
  | { kind: 'failed'; error: unknown; relist: boolean }
  | { kind: 'watchdog' }
  | { kind: 'resync' }
  | { kind: 'stopped' };

interface WatchStatus {
  type?: string;
  object?: { code?: number; message?: string; metadata?: { resourceVersion?: string } };
}

/** A watch that ended this fast without a single event counts as a failure (no hot loop). */
const minHealthyWatchMs = 1_000;

const now = (): number => performance.now();

export class Informer<T extends KubeObject> {
  readonly resource: string;
  #options: InformerOptions<T>;
  #client: KubeClient;
  #list: ListFunction<T>;
  #transform: (object: unknown) => T;
  #handlers: InformerHandler<T>[] = [];
  #store = new Map<string, T>();
  #synced = false;
  #syncWaiters: ((synced: boolean) => void)[] = [];
  #resourceVersion = '';
  #failures = 0;
  #goneInARow = 0;
  #restarts = 0;
  #lastActivity = now();
  #nextResyncAt = Infinity;
  #stopper = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: InformerOptions<T>) {
    this.resource = options.resource;
    this.#options = options;
    this.#client = kubeClientOf(options.kubeConfig);
    // Applied page by page as a listing arrives (only one page of full objects is ever held) and to
    // every watch event.
    const transform = options.transform ?? ((object: unknown) => withoutBookkeeping(object as T));
    this.#transform = transform;
    if (options.list === undefined) this.#list = collectionLister<T>(this.#client, options.path, transform);
    else {
      const list = options.list;
      this.#list = async (query) => {
        const listing = await list(query);
        return { ...listing, items: listing.items.map((item) => transform(item)) };
      };
    }
    if (options.handler) this.#handlers.push(options.handler);
    options.metrics?.restarts.inc({ resource: options.resource }, 0);
  }

  /** Starts listing and watching in the background; the loop ends only with stop(). */
  start(): void {
    if (this.#loop) throw new Error(`informer ${this.resource} already started`);
    this.#loop = this.#run();
  }

  /** Ends the watch, any request and every timer; resolves once nothing of the informer runs. */
  async stop(): Promise<void> {
    this.#stopper.abort();
    await this.#loop;
    this.#settleSyncWaiters(false);
  }

  /** True once the first list has been stored and reported. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves true once synced, or false if the informer is stopped first. */
  whenSynced(): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (this.#stopper.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  get(key: string): T | undefined {
    return this.#store.get(key);
  }

  list(): T[] {
    return [...this.#store.values()];
  }

  /** Adds a handler; once synced, it is first told about every stored object as an add. */
  addHandler(handler: InformerHandler<T>): void {
    this.#handlers.push(handler);
    if (this.#synced) for (const object of this.#store.values()) this.#call(() => handler.onAdd?.(object));
  }

  /** Restarts so far (after errors, 410 Gone or the watchdog). */
  get restarts(): number {
    return this.#restarts;
  }

  /** The resourceVersion the next watch starts from. */
  get resourceVersion(): string {
    return this.#resourceVersion;
  }

  async #run(): Promise<void> {
    const signal = this.#stopper.signal;
    let needsList = true;
    while (!signal.aborted) {
      let delayMs = 0;
      if (needsList) {
        try {
          await this.#relist();
          needsList = false;
        } catch (error) {
          if (signal.aborted) break;
          delayMs = this.#failed('error', error);
        }
      } else {
        const outcome = await this.#watchOnce();
        switch (outcome.kind) {
          case 'stopped':
            return;
          case 'ended':
            if (outcome.sawEvent || outcome.lastedMs >= minHealthyWatchMs) this.#failures = 0;
            else delayMs = backoffDelayMs(++this.#failures, this.#backoff);
            break;
          case 'gone':
            needsList = true;
            this.#restart('gone');
            // The first 410 relists at once; 410s with no event in between back off.
            this.#goneInARow++;
            delayMs = backoffDelayMs(this.#goneInARow - 1, this.#backoff);
            break;
          case 'failed':
            needsList = outcome.relist;
            delayMs = this.#failed('error', outcome.error);
            break;
          case 'watchdog':
            needsList = true;
            this.#restart('watchdog');
            break;
          case 'resync':
            needsList = true;
            break;
        }
      }
      if (delayMs > 0) await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    }
  }

  get #backoff(): BackoffPolicy {
    return this.#options.backoff ?? informerBackoff;
  }

  #failed(reason: RestartReason, error: unknown): number {
    // The apiserver shedding load (429, Retry-After) says when to come back: that long, not the
    // backoff, which a storm of a few seconds would otherwise stretch to tens of seconds after it.
    const toldMs = retryAfterMs(error);
    if (toldMs !== undefined) {
      const delayMs = Math.min(toldMs, this.#backoff.maxMs);
      this.#restart(reason, error, delayMs);
      return delayMs;
    }
    this.#failures++;
    const delayMs = backoffDelayMs(this.#failures, this.#backoff);
    this.#restart(reason, error, delayMs);
    return delayMs;
  }

  #restart(reason: RestartReason, error?: unknown, delayMs = 0): void {
    this.#restarts++;
    this.#options.metrics?.restarts.inc({ resource: this.resource });
    this.#options.log.warn(
      { resource: this.resource, reason, err: error, retryInMs: Math.round(delayMs), failures: this.#failures },
      `informer ${this.resource}: restarting (${reason})`,
    );
    try {
      this.#options.onRestart?.(reason, error);
    } catch (callbackError) {
      this.#options.log.error({ err: callbackError }, 'informer onRestart callback threw');
    }
  }

  async #relist(): Promise<void> {
    const listing = await this.#list({
      labelSelector: this.#options.labelSelector,
      fieldSelector: this.#options.fieldSelector,
      signal: this.#stopper.signal,
    });
    if (this.#stopper.signal.aborted) return;
    const changes = replaceWithListing(this.#store, listing.items);
    this.#resourceVersion = listing.resourceVersion;
    this.#lastActivity = now();
    const resyncPeriodMs = this.#options.resyncPeriodMs ?? 600_000;
    this.#nextResyncAt = resyncPeriodMs > 0 ? now() + resyncPeriodMs : Infinity;
    for (const change of changes) this.#emit(change);
    if (!this.#synced) {
      this.#synced = true;
      this.#settleSyncWaiters(true);
      this.#options.log.info(
        { resource: this.resource, objects: this.#store.size },
        `informer ${this.resource}: synced`,
      );
    } else if (changes.length > 0) {
      this.#options.log.info(
        { resource: this.resource, changes: changes.length },
        `informer ${this.resource}: relist found changes the watch had not delivered`,
      );
    }
  }

  #watchOnce(): Promise<WatchOutcome> {
    const signal = this.#stopper.signal;
    if (signal.aborted) return Promise.resolve({ kind: 'stopped' });
    return new Promise<WatchOutcome>((resolve) => {
      const startedAt = now();
      let settled = false;
      let sawEvent = false;
      const controller = new AbortController();
      let watchdogTimer: NodeJS.Timeout | undefined;
      let resyncTimer: NodeJS.Timeout | undefined;
      const finish = (outcome: WatchOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(watchdogTimer);
        clearTimeout(resyncTimer);
        signal.removeEventListener('abort', onStop);
        controller.abort();
        resolve(outcome);
      };
      const onStop = (): void => finish({ kind: 'stopped' });
      signal.addEventListener('abort', onStop);

      if (Number.isFinite(this.#nextResyncAt)) {
        resyncTimer = setTimeout(() => finish({ kind: 'resync' }), Math.max(0, this.#nextResyncAt - now()));
      }
      const watchdogMs = this.#options.watchdogMs ?? 900_000;
      const armWatchdog = (): void => {
        watchdogTimer = setTimeout(
          () => {
            if (now() - this.#lastActivity >= watchdogMs) finish({ kind: 'watchdog' });
            else armWatchdog();
          },
          Math.max(0, this.#lastActivity + watchdogMs - now()),
        );
      };
      if (watchdogMs > 0) armWatchdog();

      const onEvent = (type: string, object: T & WatchStatus['object']): void => {
        if (settled) return;
        try {
          if (type === 'ERROR') {
            const code = object?.code;
            const error = new Error(`watch ERROR event: ${code ?? '?'} ${object?.message ?? ''}`);
            finish(code === 410 ? { kind: 'gone' } : { kind: 'failed', error, relist: true });
            return;
          }
          sawEvent = true;
          this.#failures = 0;
          this.#goneInARow = 0;
          this.#lastActivity = now();
          const resourceVersion = object?.metadata?.resourceVersion;
          if (resourceVersion) this.#resourceVersion = resourceVersion;
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
            const change = applyWatchEvent(this.#store, type, this.#transform(object));
            if (change) this.#emit(change);
          } else if (type !== 'BOOKMARK') {
            this.#options.log.warn({ resource: this.resource, type }, 'informer: unknown watch event type');
          }
        } catch (error) {
          finish({ kind: 'failed', error, relist: true });
        }
      };
      const onDone = (error: unknown): void => {
        if (error === null || error === undefined) finish({ kind: 'ended', sawEvent, lastedMs: now() - startedAt });
        else if (apiStatusCode(error) === 410) finish({ kind: 'gone' });
        else finish({ kind: 'failed', error, relist: false });
      };
      const query = {
        allowWatchBookmarks: true,
        resourceVersion: this.#resourceVersion,
        labelSelector: this.#options.labelSelector,
        fieldSelector: this.#options.fieldSelector,
        timeoutSeconds: this.#options.watchTimeoutSeconds ?? 20 + Math.floor(Math.random() * 9),
      };
      const onWatchEvent = (type: string, object: unknown): void => onEvent(type, object as T & WatchStatus['object']);
      this.#client.watch(this.#options.path, query, onWatchEvent, controller.signal).then(
        () => onDone(null),
        (error: unknown) => onDone(error),
      );
    });
  }

  #emit(change: StoreChange<T>): void {
    for (const handler of this.#handlers) {
      this.#call(() => {
        if (change.type === 'add') handler.onAdd?.(change.object);
        else if (change.type === 'update') handler.onUpdate?.(change.old, change.object);
        else handler.onDelete?.(change.object);
      });
    }
  }

  /** A throwing handler is logged; it never breaks the store or the other handlers. */
  #call(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#options.log.error({ resource: this.resource, err: error }, 'informer handler threw');
    }
  }

  #settleSyncWaiters(synced: boolean): void {
    const waiters = this.#syncWaiters;
    this.#syncWaiters = [];
    for (const resolve of waiters) resolve(synced);
  }
}
