// Fencing for a leader-elected writer: a replica that is no longer the leader issues no write.
// Every write asks admit() right before it goes out (after the rate limiter, which may have kept
// it waiting past the end of leadership); admit() refuses unless the Lease was renewed within the
// renew deadline, and hands out a signal that aborts the request when leadership ends or when the
// Lease last renewed could expire (so no request outlives the lease, whatever the transport's own
// timeouts are).

export class NotLeaderError extends Error {
  constructor(message = 'not the leader: the write was not sent') {
    super(message);
    this.name = 'NotLeaderError';
  }
}

export interface Leadership {
  /** Holds the Lease, renewed within the renew deadline. */
  isLeader(): boolean;
  /** Milliseconds until the Lease this replica last renewed may expire (0 when not leading). */
  validForMs(): number;
}

export class WriteFence {
  /** Unbound until the elector exists: nothing leads, nothing is admitted. */
  #leadership: Leadership | undefined;
  #revoked = new AbortController();

  bind(leadership: Leadership): void {
    this.#leadership = leadership;
  }

  /** Throws NotLeaderError unless leading; the signal the write must carry. */
  admit(): AbortSignal {
    const validMs = this.#leadership?.validForMs() ?? 0;
    if (this.#leadership?.isLeader() !== true || validMs <= 0) throw new NotLeaderError();
    return AbortSignal.any([this.#revoked.signal, AbortSignal.timeout(Math.ceil(validMs))]);
  }

  /** Leadership ended: abort every write in flight. */
  revoke(): void {
    this.#revoked.abort(new NotLeaderError('leadership ended: the write in flight was aborted'));
    this.#revoked = new AbortController();
  }
}
