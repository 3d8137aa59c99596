// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: candidates try every
// retryPeriod to create or take over the Lease (optimistic concurrency: a 409 means another won);
// the leader renews every retryPeriod and gives up leadership when it could not renew for
// renewDeadline (shorter than the lease duration, so it stops before anyone may take over).
// A graceful stop releases the Lease (empty holder) so a standby takes over at once.
import { setTimeout as sleep } from 'node:timers/promises';
import { describeApiError, isConflict, isNotFound } from '@longhorn-backup-guard/shared/kube/api-errors';
import { objectPath, resourcePath, type ResourceRef } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { KubeClient } from '@longhorn-backup-guard/shared/kube/kube-client';
import { kubeClientOf, type KubeSource } from '@longhorn-backup-guard/shared/kube/kube-source';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { LeaderElectionMetrics } from './controller-metrics.ts';
import { decideLease, type LeaseObservation } from './lease-decision.ts';

/** A coordination.k8s.io/v1 Lease as the apiserver sends it (times are RFC 3339 strings). */
interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** A MicroTime as client-go (and client-node's V1MicroTime) writes it: microseconds, UTC. */
function microTime(date: Date): string {
  return `${date.toISOString().slice(0, -1)}000Z`;
}

export interface LeaderElectionOptions {
  /** The cluster: a KubeClient, or a kubeconfig object (kube-source.ts). */
  kubeConfig: KubeSource;
  namespace: string;
  /** The Lease's name; also the `name` label of leader_election_master_status. */
  name: string;
  /** Unique per replica, e.g. the Pod name. */
  identity: string;
  /** Default 15 s (whole seconds: the Lease field is an integer). */
  leaseDurationSeconds?: number;
  /** Default 10 s. */
  renewDeadlineMs?: number;
  /** Default 2 s. */
  retryPeriodMs?: number;
  log: Logger;
  metrics?: LeaderElectionMetrics;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  /** The Date header of every Lease write the apiserver answered (the apiserver's clock). */
  onServerDate?: (dateHeader: string | undefined) => void;
}

const now = (): number => performance.now();

export class LeaderElector {
  #options: Required<Pick<LeaderElectionOptions, 'leaseDurationSeconds' | 'renewDeadlineMs' | 'retryPeriodMs'>> &
    LeaderElectionOptions;
  #client: KubeClient;
  #leases: ResourceRef;
  #observation: LeaseObservation | undefined;
  /** The Lease as last written by this replica (for release). */
  #lease: Lease | undefined;
  #leading = false;
  #renewedAt = -Infinity;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #stopper = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: LeaderElectionOptions) {
    const leaseDurationSeconds = options.leaseDurationSeconds ?? 15;
    const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    const retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!Number.isInteger(leaseDurationSeconds) || leaseDurationSeconds < 1)
      throw new Error('leaseDurationSeconds must be a whole number of seconds >= 1');
    if (renewDeadlineMs >= leaseDurationSeconds * 1000)
      throw new Error('renewDeadlineMs must be shorter than the lease duration');
    if (retryPeriodMs * 1.2 >= renewDeadlineMs)
      throw new Error('retryPeriodMs (with 20 % jitter) must be shorter than renewDeadlineMs');
    this.#options = { ...options, leaseDurationSeconds, renewDeadlineMs, retryPeriodMs };
    this.#client = kubeClientOf(options.kubeConfig);
    this.#leases = { group: 'coordination.k8s.io', version: 'v1', namespace: options.namespace, plural: 'leases' };
    options.metrics?.leader.set({ name: options.name }, 0);
  }

  start(): void {
    if (this.#loop) throw new Error('leader elector already started');
    this.#loop = this.#run();
  }

  /** True while this replica holds the Lease and renewed it within the renew deadline. */
  isLeader(): boolean {
    return this.#leading && now() - this.#renewedAt < this.#options.renewDeadlineMs;
  }

  /**
   * Milliseconds until the Lease this replica last renewed may expire, counted from the renewal's start (0 when not
   * leading).
   */
  validForMs(): number {
    if (!this.#leading) return 0;
    return Math.max(0, this.#renewedAt + this.#options.leaseDurationSeconds * 1000 - now());
  }

  /**
   * Stops campaigning and renewing. With release (the default) a leader hands the Lease over at
   * once; `release: false` leaves it to expire, as a crash would.
   */
  async stop({ release = true }: { release?: boolean } = {}): Promise<void> {
    this.#stopper.abort();
    // An attempt in flight may hang on an unreachable apiserver: wait for it at most a renew deadline.
    const patience = new AbortController();
    await Promise.race([
      this.#loop,
      sleep(this.#options.renewDeadlineMs, undefined, { signal: patience.signal }).catch(() => undefined),
    ]);
    patience.abort();
    if (this.#leading && release) await this.#release();
    this.#stopLeading('elector stopped');
  }

  async #run(): Promise<void> {
    const signal = this.#stopper.signal;
    while (!signal.aborted) {
      await this.#attempt();
      const periodMs = this.#options.retryPeriodMs * (this.#leading ? 1 : 1 + 0.2 * Math.random());
      await sleep(periodMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /** One try to acquire or renew; never throws. */
  async #attempt(): Promise<void> {
    const { name, namespace, identity, log } = this.#options;
    const startedAt = now();
    let lease: Lease | undefined;
    try {
      lease = (await this.#client.request<Lease>({ method: 'GET', path: objectPath(this.#leases, name) })).body;
    } catch (error) {
      if (!isNotFound(error)) {
        log.warn(
          { lease: `${namespace}/${name}`, err: describeApiError(error) },
          'leader election: cannot read the Lease',
        );
        return;
      }
    }
    if (this.#stopper.signal.aborted) return;
    const view = lease && {
      resourceVersion: lease.metadata?.resourceVersion ?? '',
      holderIdentity: lease.spec?.holderIdentity,
      leaseDurationSeconds: lease.spec?.leaseDurationSeconds,
    };
    const { action, observation } = decideLease(view, identity, this.#observation, startedAt);
    this.#observation = observation;
    if (action === 'wait' || (action === 'take-over' && this.#leading)) {
      // Someone else holds it (or held it meanwhile): whatever this replica believed, it is not the leader.
      this.#stopLeading(`the Lease is held by ${lease?.spec?.holderIdentity ?? 'nobody'}`);
      return;
    }
    try {
      const response =
        action === 'create'
          ? await this.#client.request<Lease>({
              method: 'POST',
              path: resourcePath(this.#leases),
              body: this.#leaseBody(undefined),
            })
          : await this.#client.request<Lease>({
              method: 'PUT',
              path: objectPath(this.#leases, name),
              body: this.#leaseBody(lease),
            });
      this.#options.onServerDate?.(response.headers.date);
      const written = response.body;
      this.#lease = written;
      // Written after stop() began: remembered for the release, but no longer leading.
      if (this.#stopper.signal.aborted) return;
      this.#observation = { resourceVersion: written.metadata?.resourceVersion ?? '', observedAtMs: startedAt };
      this.#renewed(startedAt);
    } catch (error) {
      if (isConflict(error))
        log.debug({ lease: `${namespace}/${name}` }, 'leader election: another replica wrote the Lease first');
      else
        log.warn(
          { lease: `${namespace}/${name}`, err: describeApiError(error) },
          `leader election: cannot ${action} the Lease`,
        );
    }
  }

  /** The Lease holding it for this replica: a renewal keeps acquireTime and the transition count. */
  #leaseBody(current: Lease | undefined): Lease {
    const stamp = microTime(new Date());
    const ours = current?.spec?.holderIdentity === this.#options.identity;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: current?.metadata ?? { name: this.#options.name, namespace: this.#options.namespace },
      spec: {
        ...current?.spec,
        holderIdentity: this.#options.identity,
        leaseDurationSeconds: this.#options.leaseDurationSeconds,
        renewTime: stamp,
        acquireTime: ours ? current?.spec?.acquireTime : stamp,
        leaseTransitions: (current?.spec?.leaseTransitions ?? 0) + (current && !ours ? 1 : 0),
      },
    };
  }

  #renewed(startedAt: number): void {
    this.#renewedAt = startedAt;
    clearTimeout(this.#deadlineTimer);
    // Measured from the start of the successful request, the moment its renewTime describes.
    this.#deadlineTimer = setTimeout(
      () => this.#stopLeading(`could not renew the Lease for ${this.#options.renewDeadlineMs} ms`),
      Math.max(0, startedAt + this.#options.renewDeadlineMs - now()),
    );
    if (this.#leading) return;
    this.#leading = true;
    this.#options.metrics?.leader.set({ name: this.#options.name }, 1);
    this.#options.log.info(
      { lease: `${this.#options.namespace}/${this.#options.name}`, identity: this.#options.identity },
      'leader election: started leading',
    );
    this.#callback(this.#options.onStartedLeading);
  }

  #stopLeading(reason: string): void {
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    if (!this.#leading) return;
    this.#leading = false;
    this.#options.metrics?.leader.set({ name: this.#options.name }, 0);
    this.#options.log.warn(
      { lease: `${this.#options.namespace}/${this.#options.name}`, identity: this.#options.identity, reason },
      'leader election: stopped leading',
    );
    this.#callback(this.#options.onStoppedLeading);
  }

  /** Empties the holder (and shortens the duration) so that a standby takes over on its next try. */
  async #release(): Promise<void> {
    const lease = this.#lease;
    if (!lease?.spec) return;
    const stamp = microTime(new Date());
    try {
      await this.#client.request({
        method: 'PUT',
        path: objectPath(this.#leases, this.#options.name),
        body: {
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: stamp, renewTime: stamp },
        },
      });
      this.#options.log.info(
        { lease: `${this.#options.namespace}/${this.#options.name}` },
        'leader election: released the Lease',
      );
    } catch (error) {
      this.#options.log.warn(
        { err: describeApiError(error) },
        'leader election: could not release the Lease; it expires by itself',
      );
    }
  }

  #callback(callback: (() => void) | undefined): void {
    try {
      callback?.();
    } catch (error) {
      this.#options.log.error({ err: error }, 'leader election callback threw');
    }
  }
}
