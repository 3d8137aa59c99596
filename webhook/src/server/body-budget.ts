// A budget of request-body bytes in flight: a request reserves its Content-Length before its body
// is read and gives it back once its answer is sent, so the memory that bodies (and the objects
// parsed from them) take stays bounded however many arrive at once. A request that does not fit
// waits; one that fits goes ahead of a larger one waiting (a real review is a few KiB: it never
// waits behind a 4 MiB body; a large one may wait until the request timeout ends it).

export interface BodyBudget {
  /** Resolves with the function that gives the bytes back (idempotent) once they fit. */
  reserve(bytes: number): Promise<() => void>;
  /** The same at once when the bytes fit now (no promise: the common case), else null. */
  tryReserve(bytes: number): (() => void) | null;
  /** Bytes reserved and requests waiting, for tests and metrics. */
  usage(): { readonly reserved: number; readonly waiting: number };
}

export function createBodyBudget(budgetBytes: number): BodyBudget {
  let reserved = 0;
  const waiting: { readonly bytes: number; readonly grant: () => void }[] = [];

  function grantWaiting(): void {
    for (let index = 0; index < waiting.length;) {
      const next = waiting[index];
      if (next !== undefined && reserved + next.bytes <= budgetBytes) {
        waiting.splice(index, 1);
        next.grant();
      } else {
        index++;
      }
    }
  }

  function take(bytes: number): () => void {
    reserved += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      reserved -= bytes;
      grantWaiting();
    };
  }

  // A body larger than the whole budget waits until nothing else is in flight.
  const bounded = (requested: number) => Math.min(Math.max(requested, 0), budgetBytes);
  const tryReserve = (requested: number) => {
    const bytes = bounded(requested);
    return reserved + bytes <= budgetBytes ? take(bytes) : null;
  };

  return {
    tryReserve,
    reserve(requested) {
      const granted = tryReserve(requested);
      if (granted !== null) return Promise.resolve(granted);
      const bytes = bounded(requested);
      return new Promise((resolve) => waiting.push({ bytes, grant: () => resolve(take(bytes)) }));
    },
    usage: () => ({ reserved, waiting: waiting.length }),
  };
}
