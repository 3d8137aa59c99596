// Work done beside the reconcile instead of inside it, as client-go's EventBroadcaster sends Events
// from a goroutine of its own: add() hands an item over and returns at once, up to `concurrency`
// items are worked on at a time, in the order added. Bounded: when `capacity` items wait, add()
// waits for room (the producer slows down; nothing is dropped). A failing task is the task's own
// business: its rejection is passed to `onError` and the queue goes on.

export interface BackgroundQueueOptions<T> {
  readonly concurrency: number;
  /** Items waiting at most (not counting those being worked on). */
  readonly capacity: number;
  readonly task: (item: T) => Promise<void>;
  readonly onError: (error: unknown, item: T) => void;
}

export class BackgroundQueue<T> {
  readonly #options: BackgroundQueueOptions<T>;
  readonly #waiting: T[] = [];
  /** Index of the next waiting item in #waiting. */
  #head = 0;
  #running = 0;
  /** Producers waiting for room, and callers waiting for the queue to empty. */
  #roomWaiters: (() => void)[] = [];
  #drainWaiters: (() => void)[] = [];

  constructor(options: BackgroundQueueOptions<T>) {
    if (!(options.concurrency >= 1) || !(options.capacity >= 1))
      throw new Error(`invalid background queue: concurrency ${options.concurrency}, capacity ${options.capacity}`);
    this.#options = options;
  }

  /** Items waiting or being worked on. */
  get size(): number {
    return this.#waiting.length - this.#head + this.#running;
  }

  /** Queues `item`; resolves at once, or once there is room. */
  async add(item: T): Promise<void> {
    while (this.#waiting.length - this.#head >= this.#options.capacity)
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    this.#waiting.push(item);
    this.#pump();
  }

  /** Resolves once nothing waits and nothing is being worked on. */
  whenDrained(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.#options.concurrency && this.#head < this.#waiting.length) {
      const item = this.#waiting[this.#head] as T;
      this.#head++;
      // Compact once the used-up front is at least half the array: O(1) per item on average.
      if (this.#head * 2 >= this.#waiting.length) {
        this.#waiting.splice(0, this.#head);
        this.#head = 0;
      }
      this.#running++;
      this.#roomWaiters.shift()?.();
      void this.#run(item);
    }
    if (this.size === 0) for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  async #run(item: T): Promise<void> {
    try {
      await this.#options.task(item);
    } catch (error) {
      this.#options.onError(error, item);
    } finally {
      this.#running--;
      this.#pump();
    }
  }
}
