// What a candidate does with the Lease it just read, as a pure function. Expiry is judged the way
// client-go does it, immune to clock skew between replicas: the remote renewTime is never compared
// with the local wall clock; instead the candidate notes (on its own monotonic clock) when it last
// saw the Lease change, and the Lease is expired once it has not changed for leaseDurationSeconds.

export interface LeaseView {
  resourceVersion: string;
  holderIdentity?: string;
  leaseDurationSeconds?: number;
}

/** The last change of the Lease this candidate saw, and when (local monotonic ms). */
export interface LeaseObservation {
  resourceVersion: string;
  observedAtMs: number;
}

export type LeaseAction =
  /** No Lease yet: create it, holding it. */
  | 'create'
  /** Ours: renew it. */
  | 'renew'
  /** Free (released) or expired: take it over. */
  | 'take-over'
  /** Another holder's, still valid. */
  | 'wait';

export function decideLease(
  lease: LeaseView | undefined,
  identity: string,
  observation: LeaseObservation | undefined,
  nowMs: number,
): { action: LeaseAction; observation: LeaseObservation | undefined } {
  if (!lease) return { action: 'create', observation: undefined };
  const seen =
    observation?.resourceVersion === lease.resourceVersion
      ? observation
      : { resourceVersion: lease.resourceVersion, observedAtMs: nowMs };
  const holder = lease.holderIdentity ?? '';
  if (holder === identity) return { action: 'renew', observation: seen };
  if (holder === '') return { action: 'take-over', observation: seen };
  const expiresAtMs = seen.observedAtMs + (lease.leaseDurationSeconds ?? 0) * 1000;
  return { action: nowMs >= expiresAtMs ? 'take-over' : 'wait', observation: seen };
}
