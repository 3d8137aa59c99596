// One clock for every time the reconciler writes and compares: the apiserver's. Object timestamps
// (a Snapshot's creationTimestamp) are the apiserver's, so the times the reconciler records (an
// attempt's start, an orphan mark) and its "now" must be too, or a pod whose clock is off by more
// than snapshotReadyTimeout fails every archive attempt. The offset between this pod's clock and
// the apiserver's is learnt from the Date header of the Lease renewals (every retryPeriod).

/** The Date header has whole seconds: the server's time lies within the second after it. */
const HALF_SECOND_MS = 500;

export class ServerClock {
  readonly #local: () => number;
  #offsetMs = 0;

  constructor(local: () => number = Date.now) {
    this.#local = local;
  }

  /** An HTTP Date header of an apiserver response that arrived just now. */
  observe(dateHeader: string | undefined): void {
    const serverMs = dateHeader === undefined ? NaN : Date.parse(dateHeader);
    if (Number.isNaN(serverMs)) return;
    this.#offsetMs = serverMs + HALF_SECOND_MS - this.#local();
  }

  /** The apiserver's time now, as well as this pod can tell. */
  now(): Date {
    return new Date(this.#local() + this.#offsetMs);
  }

  /** How far this pod's clock is behind the apiserver's (negative: ahead), in milliseconds. */
  offsetMs(): number {
    return this.#offsetMs;
  }
}
