// A fixed number of slots, handed out first come first served: large request bodies are read and
// decided only while holding one, so their memory stays bounded however many arrive at once.

export interface BodySlots {
  /** Resolves with the function that gives the slot back (idempotent) once one is free. */
  acquire(): Promise<() => void>;
  /** Slots in use and requests waiting, for tests and metrics. */
  usage(): { readonly busy: number; readonly waiting: number };
}

export function createBodySlots(count: number): BodySlots {
  let busy = 0;
  const waiting: (() => void)[] = [];

  const releaser = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiting.shift();
      if (next === undefined) busy--;
      else next();
    };
  };

  return {
    acquire() {
      if (busy < count) {
        busy++;
        return Promise.resolve(releaser());
      }
      // The slot passes straight from the releasing request to the next one: busy stays as it is.
      return new Promise((resolve) => waiting.push(() => resolve(releaser())));
    },
    usage: () => ({ busy, waiting: waiting.length }),
  };
}
