import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { createControllerMetrics } from '@longhorn-backup-guard/reconciler/machinery/controller-metrics';
import { WorkQueue } from '@longhorn-backup-guard/reconciler/machinery/work-queue';

/** get() that fails the test instead of hanging when nothing comes. */
async function next(queue: WorkQueue, timeoutMs = 2_000): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('no key arrived')), timeoutMs);
  });
  try {
    return await Promise.race([queue.get(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** 'pending' when the promise has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms = 30): Promise<T | 'pending'> {
  return Promise.race([promise, sleep(ms).then(() => 'pending' as const)]);
}

test('keys come out in order and a key waiting in the queue is there only once', async () => {
  const queue = new WorkQueue({ name: 't' });
  for (const key of ['a', 'b', 'a', 'c', 'b']) queue.add(key);
  assert.equal(queue.length, 3);
  assert.deepEqual([await next(queue), await next(queue), await next(queue)], ['a', 'b', 'c']);
  assert.equal(queue.length, 0);
  assert.equal(queue.processing, 3);
  for (const key of ['a', 'b', 'c']) queue.done(key);
  await queue.shutDown();
});

test('a key added while processing is processed once more after done(), never concurrently', async () => {
  const queue = new WorkQueue({ name: 't' });
  queue.add('a');
  const first = await next(queue);
  assert.equal(first, 'a');
  queue.add('a');
  queue.add('a');
  const second = queue.get();
  assert.equal(await within(second), 'pending', 'a second worker does not get the key being processed');
  queue.done('a');
  assert.equal(await second, 'a', 'processed once more after done()');
  queue.done('a');
  const third = queue.get();
  assert.equal(await within(third), 'pending', 'and only once');
  await queue.shutDown();
  assert.equal(await third, undefined);
});

test('a change goes ahead of a resync: normal keys first, low ones after, each in order', async () => {
  const queue = new WorkQueue({ name: 't' });
  for (const key of ['r1', 'r2', 'r3', 'r4']) queue.add(key, 'low');
  queue.add('changed');
  queue.add('r3'); // a key waiting low that changes moves up
  queue.add('r1', 'low'); // already waiting: nothing changes
  assert.equal(queue.length, 5);
  const order: (string | undefined)[] = [];
  for (let i = 0; i < 5; i++) {
    const key = await next(queue);
    order.push(key);
    if (key !== undefined) queue.done(key);
  }
  assert.deepEqual(order, ['changed', 'r3', 'r1', 'r2', 'r4'], 'r3 once, at normal priority');
  assert.equal(queue.length, 0);
  assert.equal(await within(queue.get()), 'pending', 'no key twice');
  await queue.shutDown();
});

test('a key added low while processing comes back low; added normal meanwhile, it comes back first', async () => {
  const queue = new WorkQueue({ name: 't' });
  queue.add('a');
  queue.add('b');
  assert.equal(await next(queue), 'a');
  assert.equal(await next(queue), 'b');
  queue.add('x', 'low');
  queue.add('a', 'low');
  queue.add('b', 'low');
  queue.add('b');
  queue.done('a');
  queue.done('b');
  const order = [await next(queue), await next(queue), await next(queue)];
  assert.deepEqual(order, ['b', 'x', 'a']);
  for (const key of order) if (key !== undefined) queue.done(key);
  await queue.shutDown();
});

test('many workers: a key is never processed twice at once, and every add is followed by a processing that starts after it', async () => {
  const queue = new WorkQueue({ name: 't' });
  const active = new Set<string>();
  let overlaps = 0;
  let sequence = 0;
  const lastAdd = new Map<string, number>();
  const lastStart = new Map<string, number>();
  let processed = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      if (active.has(key)) overlaps++;
      active.add(key);
      lastStart.set(key, ++sequence);
      await sleep(Math.random() * 3);
      processed++;
      active.delete(key);
      queue.done(key);
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  for (let round = 0; round < 20; round++) {
    for (const key of ['a', 'b', 'c', 'd']) {
      lastAdd.set(key, ++sequence);
      queue.add(key);
    }
    await sleep(1);
  }
  while (queue.length > 0 || queue.processing > 0) await sleep(5);
  await queue.shutDown();
  await Promise.all(workers);
  assert.equal(overlaps, 0);
  for (const key of ['a', 'b', 'c', 'd'])
    assert.ok((lastStart.get(key) ?? 0) > (lastAdd.get(key) ?? Infinity), `${key}: its last add was processed`);
  assert.ok(processed < 80, 'duplicates were merged');
});

test('addRateLimited backs off per key (5, 10, 20 ms ...) and forget() starts again', async () => {
  const queue = new WorkQueue({ name: 't' });
  queue.addRateLimited('a');
  queue.addRateLimited('a');
  queue.addRateLimited('a');
  assert.equal(queue.numRequeues('a'), 3);
  assert.equal(queue.length, 0, 'not added at once');
  assert.equal(await next(queue), 'a', 'added after the earliest pending delay');
  queue.done('a');
  queue.forget('a');
  assert.equal(queue.numRequeues('a'), 0);
  assert.equal(queue.numRequeues('b'), 0);
  await queue.shutDown();
});

test('addAfter adds later; of two delays for one key the earlier wins', async () => {
  const queue = new WorkQueue({ name: 't' });
  queue.addAfter('late', 60_000);
  queue.addAfter('late', 20);
  queue.addAfter('never-early', 20);
  queue.addAfter('never-early', 60_000);
  assert.equal(queue.length, 0);
  const keys = [await next(queue), await next(queue)].sort();
  assert.deepEqual(keys, ['late', 'never-early']);
  for (const key of keys) queue.done(key ?? '');
  queue.addAfter('now', 0);
  assert.equal(queue.length, 1, 'a delay of 0 adds at once');
  await queue.shutDown();
});

test('addAfter longer than a timer can hold (a 30-day grace period) waits 2^31-1 ms instead of firing at once', async (t) => {
  const days30 = 30 * 86_400_000;
  const real = new WorkQueue({ name: 't' });
  real.addAfter('far', days30);
  await sleep(50);
  assert.equal(real.length, 0, 'not added at once (an unclamped setTimeout would fire after 1 ms)');
  await real.shutDown();

  t.mock.timers.enable({ apis: ['setTimeout'] });
  const queue = new WorkQueue({ name: 't' });
  queue.addAfter('far', days30);
  t.mock.timers.tick(2 ** 31 - 2);
  assert.equal(queue.length, 0);
  t.mock.timers.tick(1);
  assert.equal(queue.length, 1, 'added once the longest timer ran out; the next pass decides again');
  await queue.shutDown();
});

test('shutDown drops waiting and delayed keys, releases idle workers and waits for in-flight work', async () => {
  const queue = new WorkQueue({ name: 't' });
  queue.add('busy');
  assert.equal(await next(queue), 'busy');
  queue.add('waiting');
  queue.add('busy');
  queue.addAfter('delayed', 20);
  const idleWorker = (async () => {
    await queue.get(); // gets 'waiting'
    return queue.get(); // then idles
  })();
  await sleep(1);
  queue.done('waiting');
  let drained = false;
  const shutdown = queue.shutDown().then(() => {
    drained = true;
  });
  assert.equal(await idleWorker, undefined, 'an idle worker is released');
  await sleep(40);
  assert.equal(drained, false, 'the in-flight key is still being processed');
  assert.equal(queue.length, 0);
  queue.done('busy');
  await shutdown;
  assert.equal(await queue.get(), undefined);
  queue.add('after');
  assert.equal(queue.length, 0, 'adds after shutdown are ignored');
});

test('work-queue metrics carry controller-runtime names', async () => {
  const registry = new Registry();
  const metrics = createControllerMetrics(registry);
  const queue = new WorkQueue({ name: 'pvc', metrics: metrics.workQueue });
  queue.add('a');
  queue.add('a');
  queue.add('b');
  queue.addRateLimited('c');
  const key = await next(queue);
  queue.done(key ?? '');
  const text = await registry.metrics();
  assert.match(text, /workqueue_adds_total\{name="pvc"\} 2/);
  assert.match(text, /workqueue_depth\{name="pvc"\} 1/);
  assert.match(text, /workqueue_retries_total\{name="pvc"\} 1/);
  assert.match(text, /workqueue_queue_duration_seconds_count\{name="pvc"\} 1/);
  assert.match(text, /workqueue_work_duration_seconds_count\{name="pvc"\} 1/);
  await queue.shutDown();
});
