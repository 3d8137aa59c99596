// ReplaceableCache with in-memory caches whose sync the test releases by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplaceableCache, type ScopedCache } from '@longhorn-backup-guard/webhook/cache/replaceable-cache';

class ManualCache implements ScopedCache {
  readonly scope: string;
  started = false;
  stopped = false;
  #synced = false;
  #waiters: ((synced: boolean) => void)[] = [];

  constructor(scope: string) {
    this.scope = scope;
  }

  start(): void {
    this.started = true;
  }
  stop(): Promise<void> {
    this.stopped = true;
    for (const waiter of this.#waiters.splice(0)) waiter(false);
    return Promise.resolve();
  }
  hasSynced(): boolean {
    return this.#synced;
  }
  whenSynced(): Promise<boolean> {
    if (this.#synced || this.stopped) return Promise.resolve(this.#synced);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  sync(): void {
    this.#synced = true;
    for (const waiter of this.#waiters.splice(0)) waiter(true);
  }
}

function setUp() {
  const made: ManualCache[] = [];
  const make = (scope: string) => () => {
    const cache = new ManualCache(scope);
    made.push(cache);
    return cache;
  };
  const first = new ManualCache('a');
  const replaceable = new ReplaceableCache('a', first);
  replaceable.start();
  first.sync();
  return { made, make, first, replaceable };
}

test('the current cache serves until the replacement has synced, then the old one stops', async () => {
  const { made, make, first, replaceable } = setUp();
  const following = replaceable.follow('b', make('b'));
  await new Promise(setImmediate);
  const [next] = made;
  assert.ok(next?.started);
  assert.equal(replaceable.current, first);
  next.sync();
  await following;
  assert.equal(replaceable.current, next);
  assert.equal(first.stopped, true);
});

test('the same scope makes nothing; a newer change supersedes one still syncing; going back stops the pending one', async () => {
  const { made, make, first, replaceable } = setUp();
  await replaceable.follow('a', make('a'));
  assert.equal(made.length, 0);

  const toB = replaceable.follow('b', make('b'));
  await replaceable.follow('b', make('b'));
  assert.equal(made.length, 1, 'already on the way to b');
  const toC = replaceable.follow('c', make('c'));
  await toB;
  const [b, c] = made;
  assert.equal(b?.stopped, true);
  c?.sync();
  await toC;
  assert.equal(replaceable.current, c);

  const toD = replaceable.follow('d', make('d'));
  await replaceable.follow('c', make('c'));
  await toD;
  assert.equal(made[2]?.stopped, true, 'the pending d is dropped');
  assert.equal(made.length, 3);
  assert.equal(replaceable.current, c);
  assert.equal(first.stopped, true);
});

test('stop() stops the current and the pending cache, and a later follow starts nothing', async () => {
  const { made, make, first, replaceable } = setUp();
  const following = replaceable.follow('b', make('b'));
  await replaceable.stop();
  await following;
  assert.equal(first.stopped, true);
  assert.equal(made[0]?.stopped, true);
  assert.equal(replaceable.current, first);
  await replaceable.follow('c', make('c'));
  assert.equal(made.length, 1);
});
