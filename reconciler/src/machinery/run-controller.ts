// The level-triggered controller loop (controller-runtime's): `workers` workers take keys from the
// queue; reconcile(key) reads the caches itself and writes only differences. An error retries the
// key with backoff, { requeueAfterMs } schedules a later visit, { requeue: true } retries with
// backoff without counting as an error, and success forgets the key's backoff.
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { apiStatusCode, describeApiError } from '@longhorn-backup-guard/shared/kube/api-errors';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { ReconcileMetrics } from './controller-metrics.ts';
import type { WorkQueue } from './work-queue.ts';

export interface ReconcileResult {
  /** Visit the key again after this long (success, but not finished: e.g. waiting for a Backup). */
  requeueAfterMs?: number;
  /** Visit again after the key's backoff delay. */
  requeue?: boolean;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

export interface ControllerOptions {
  /** The `controller` label of the controller_runtime_* metrics. */
  name: string;
  queue: WorkQueue;
  reconcile: Reconcile;
  workers: number;
  log: Logger;
  metrics?: ReconcileMetrics;
}

export interface RunningController {
  /** Shuts the queue down, lets in-flight reconciles finish, resolves when every worker has ended. */
  stop(): Promise<void>;
  /** Resolves when every worker has ended (after stop() or the queue's shutDown()). */
  done: Promise<void>;
}

type Outcome = 'success' | 'error' | 'requeue' | 'requeue_after';

export function runController(options: ControllerOptions): RunningController {
  const { name, queue, metrics } = options;
  if (!Number.isInteger(options.workers) || options.workers < 1)
    throw new Error(`controller ${name}: workers must be a positive integer`);
  for (const result of ['success', 'error', 'requeue', 'requeue_after'] satisfies Outcome[])
    metrics?.total.inc({ controller: name, result }, 0);
  metrics?.errors.inc({ controller: name }, 0);

  const workers = Array.from({ length: options.workers }, () => work(options));
  const done = Promise.all(workers).then(() => undefined);
  return {
    stop: async () => {
      await queue.shutDown();
      await done;
    },
    done,
  };
}

async function work({ name, queue, reconcile, log, metrics }: ControllerOptions): Promise<void> {
  for (;;) {
    // I/O first, then the next key. A pass that writes nothing (the watch bringing back our own
    // write) awaits no I/O, so without this a worker runs such passes back to back in one turn of
    // the event loop while the answers to the other workers' writes wait; and the watch events that
    // arrive meanwhile fold into the key's next pass instead of queueing another (BENCHMARKS.md).
    await yieldToIo();
    const key = await queue.get();
    if (key === undefined) return;
    const startedAt = performance.now();
    let outcome: Outcome;
    try {
      const result = await reconcile(key);
      if (result?.requeueAfterMs !== undefined && result.requeueAfterMs > 0) {
        queue.forget(key);
        queue.addAfter(key, result.requeueAfterMs);
        outcome = 'requeue_after';
      } else if (result?.requeue) {
        queue.addRateLimited(key);
        outcome = 'requeue';
      } else {
        queue.forget(key);
        outcome = 'success';
      }
    } catch (error) {
      queue.addRateLimited(key);
      outcome = 'error';
      metrics?.errors.inc({ controller: name });
      // An ApiException carries response headers and the whole body: log the apiserver's message.
      const detail = apiStatusCode(error) === undefined ? { err: error } : { error: describeApiError(error) };
      log.error(
        { controller: name, key, ...detail, retries: queue.numRequeues(key) },
        `reconcile of ${key} failed; retrying with backoff`,
      );
    } finally {
      metrics?.time.observe({ controller: name }, (performance.now() - startedAt) / 1000);
      queue.done(key);
    }
    metrics?.total.inc({ controller: name, result: outcome });
  }
}
