// The background queue under the Event recorder: at most `concurrency` tasks at a time, in order,
// add() waits for room instead of dropping, a failing task does not stop the others, and
// whenDrained() resolves only when nothing waits or runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BackgroundQueue } from '@longhorn-backup-guard/reconciler/machinery/background-queue';

interface Gate {
  readonly item: number;
  readonly open: () => void;
  readonly fail: (error: Error) => void;
}

/** A queue whose tasks wait until the test opens (or fails) them. */
function gatedQueue(concurrency: number, capacity: number) {
  const started: Gate[] = [];
  const errors: number[] = [];
  const order: number[] = [];
  let running = 0;
  let maxRunning = 0;
  const queue = new BackgroundQueue<number>({
    concurrency,
    capacity,
    task: (item) =>
      new Promise<void>((resolve, reject) => {
        order.push(item);
        running++;
        maxRunning = Math.max(maxRunning, running);
        const done = () => running--;
        started.push({
          item,
          open: () => {
            done();
            resolve();
          },
          fail: (error) => {
            done();
            reject(error);
          },
        });
      }),
    onError: (_error, item) => errors.push(item),
  });
  return { queue, started, errors, order, maxRunning: () => maxRunning };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

test('runs every item once, in order, never more than `concurrency` at a time, whatever the finishing order', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 0, max: 30 }),
      fc.array(fc.nat(), { maxLength: 200 }),
      async (concurrency, capacity, count, picks) => {
        const { queue, started, order, maxRunning } = gatedQueue(concurrency, capacity);
        const adding = (async () => {
          for (let item = 0; item < count; item++) await queue.add(item);
        })();
        let opened = 0;
        let pick = 0;
        while (opened < count) {
          await settled();
          const open = started.slice(opened);
          const index = open.length === 0 ? -1 : (picks[pick++ % Math.max(1, picks.length)] ?? 0) % open.length;
          if (index < 0) continue;
          // Open one of the running tasks (not necessarily the oldest).
          const [gate] = started.splice(opened + index, 1);
          started.splice(opened, 0, gate as Gate);
          (gate as Gate).open();
          opened++;
        }
        await adding;
        await queue.whenDrained();
        assert.deepEqual(
          order,
          Array.from({ length: count }, (_, i) => i),
        );
        assert.ok(maxRunning() <= concurrency);
        assert.equal(queue.size, 0);
      },
    ),
    { numRuns: 60 },
  );
});

test('add() waits for room when `capacity` items wait, and goes on once one starts', async () => {
  const { queue, started } = gatedQueue(1, 2);
  await queue.add(0); // running
  await queue.add(1); // waiting
  await queue.add(2); // waiting: full
  let added = false;
  const third = queue.add(3).then(() => (added = true));
  await settled();
  assert.equal(added, false);
  assert.equal(queue.size, 3);
  started[0]?.open();
  await third;
  assert.equal(added, true);
  assert.equal(queue.size, 3);
});

test('a failing task is reported and the queue goes on; whenDrained() waits for the last one', async () => {
  const { queue, started, errors } = gatedQueue(2, 10);
  for (const item of [0, 1, 2]) await queue.add(item);
  let drained = false;
  const whenDrained = queue.whenDrained().then(() => (drained = true));
  started[0]?.fail(new Error('refused'));
  await settled();
  started[1]?.open();
  await settled();
  assert.equal(drained, false);
  assert.deepEqual(
    started.map((gate) => gate.item),
    [0, 1, 2],
  );
  started[2]?.open();
  await whenDrained;
  assert.deepEqual(errors, [0]);
  assert.equal(queue.size, 0);
});

test('an empty queue is drained at once; a queue that cannot work is refused', async () => {
  const { queue } = gatedQueue(1, 1);
  await queue.whenDrained();
  assert.throws(
    () => new BackgroundQueue({ concurrency: 0, capacity: 1, task: async () => {}, onError: () => {} }),
    /invalid/,
  );
});
