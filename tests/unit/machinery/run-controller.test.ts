import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { createControllerMetrics } from '@longhorn-backup-guard/reconciler/machinery/controller-metrics';
import { runController, type ReconcileResult } from '@longhorn-backup-guard/reconciler/machinery/run-controller';
import { WorkQueue } from '@longhorn-backup-guard/reconciler/machinery/work-queue';

const log = createLogger('test', 'silent');

function setup(reconcile: (key: string) => Promise<ReconcileResult | void>, workers = 2) {
  const registry = new Registry();
  const metrics = createControllerMetrics(registry);
  const queue = new WorkQueue({ name: 'pvc', metrics: metrics.workQueue });
  const controller = runController({ name: 'pvc', queue, reconcile, workers, log, metrics: metrics.reconcile });
  return { registry, queue, controller };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

test('a failing key is retried with backoff until it succeeds, then its backoff is forgotten', async () => {
  const calls: string[] = [];
  const succeeded = deferred();
  let attempts = 0;
  const { registry, queue, controller } = setup(async (key) => {
    calls.push(key);
    if (++attempts < 4) throw new Error('apiserver said no');
    succeeded.resolve();
  });
  queue.add('ns/a');
  await succeeded.promise;
  await controller.stop();
  assert.deepEqual(calls, ['ns/a', 'ns/a', 'ns/a', 'ns/a']);
  assert.equal(queue.numRequeues('ns/a'), 0, 'forgotten after success');
  const text = await registry.metrics();
  assert.match(text, /controller_runtime_reconcile_total\{controller="pvc",result="error"\} 3/);
  assert.match(text, /controller_runtime_reconcile_total\{controller="pvc",result="success"\} 1/);
  assert.match(text, /controller_runtime_reconcile_total\{controller="pvc",result="requeue_after"\} 0/);
  assert.match(text, /controller_runtime_reconcile_errors_total\{controller="pvc"\} 3/);
  assert.match(text, /controller_runtime_reconcile_time_seconds_count\{controller="pvc"\} 4/);
  assert.match(text, /workqueue_retries_total\{name="pvc"\} 3/);
});

test('requeueAfterMs schedules another visit; requeue: true retries with backoff without an error', async () => {
  const calls: string[] = [];
  const finished = deferred();
  const { registry, queue, controller } = setup(async (key) => {
    calls.push(key);
    if (calls.length === 1) return { requeueAfterMs: 10 };
    if (calls.length === 2) return { requeue: true };
    finished.resolve();
  });
  queue.add('ns/archive');
  await finished.promise;
  await controller.stop();
  assert.equal(calls.length, 3);
  const text = await registry.metrics();
  assert.match(text, /result="requeue_after"\} 1/);
  assert.match(text, /result="requeue"\} 1/);
  assert.match(text, /result="success"\} 1/);
  assert.match(text, /controller_runtime_reconcile_errors_total\{controller="pvc"\} 0/);
});

test('a key is reconciled by one worker at a time, while other keys run in parallel up to the worker count', async () => {
  let running = 0;
  let most = 0;
  const perKey = new Map<string, number>();
  let overlaps = 0;
  const release = deferred();
  const { queue, controller } = setup(async (key) => {
    running++;
    most = Math.max(most, running);
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    if ((perKey.get(key) ?? 0) > 1) overlaps++;
    await release.promise;
    perKey.set(key, (perKey.get(key) ?? 0) - 1);
    running--;
  }, 3);
  for (const key of ['a', 'b', 'c', 'd', 'a', 'b']) queue.add(key);
  await new Promise((resolve) => setTimeout(resolve, 20));
  queue.add('a'); // while 'a' runs: once more afterwards
  assert.equal(running, 3, 'three workers busy');
  release.resolve();
  while (queue.length > 0 || queue.processing > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await controller.stop();
  assert.equal(most, 3);
  assert.equal(overlaps, 0);
});

test('stop() waits for the reconcile in flight and ends every worker', async () => {
  const started = deferred();
  const release = deferred();
  let finished = false;
  const { queue, controller } = setup(async () => {
    started.resolve();
    await release.promise;
    finished = true;
  });
  queue.add('ns/slow');
  queue.add('ns/never');
  await started.promise;
  const stopping = controller.stop();
  setTimeout(release.resolve, 20);
  await stopping;
  assert.equal(finished, true, 'the in-flight reconcile completed before stop() resolved');
  await controller.done;
});

test('workers must be a positive integer', () => {
  const queue = new WorkQueue({ name: 'x' });
  assert.throws(
    () => runController({ name: 'x', queue, reconcile: async () => {}, workers: 0, log }),
    /positive integer/,
  );
});

test('a worker lets waiting I/O callbacks run between keys, also when its passes await nothing', async () => {
  const order: string[] = [];
  const allDone = deferred();
  const keys = Array.from({ length: 50 }, (_, i) => `ns/pvc-${i}`);
  // Passes that write nothing: they await no I/O of their own.
  let passes = 0;
  const { queue, controller } = setup(async (key) => {
    order.push(key);
    if (++passes === keys.length) allDone.resolve();
  }, 1);
  for (const key of keys) queue.add(key);
  // Stands for an answer to a write that arrived meanwhile.
  setImmediate(() => order.push('I/O callback'));
  await allDone.promise;
  await controller.stop();
  // Not run yet when the last pass resolved: every queued key ran first.
  const callbackAt = order.indexOf('I/O callback');
  const passesFirst = callbackAt === -1 ? keys.length : callbackAt;
  assert.ok(passesFirst <= 2, `${passesFirst} passes ran before the waiting callback`);
});
