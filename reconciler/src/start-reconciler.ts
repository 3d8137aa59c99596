// The reconciler as a handle: configuration from the ConfigMap, informer caches, the operations
// server, leader election, and - while leading - the workers and the periodic full resync.
// main.ts runs it as a process; tests and benchmarks start it in-process.

import { setTimeout as sleep } from 'node:timers/promises';
import { kubeClientOf, type KubeSource } from '@longhorn-backup-guard/shared/kube/kube-source';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { startOperationsServer, type OperationsServer } from '@longhorn-backup-guard/shared/http/operations-server';
import { createInformerMetrics } from '@longhorn-backup-guard/shared/kube/informer/informer-metrics';
import { createLogger, type Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { archiveWorkflow as defaultArchiveWorkflow } from './archive/archive-workflow.ts';
import type { ArchiveWorkflow } from './model/archive-contract.ts';
import { sameScope, scopeOf } from '@longhorn-backup-guard/shared/config/cache-scope';
import { ClusterCaches } from './cache/reconciler-caches.ts';
import { ConfigMapSource } from './config/config-map-source.ts';
import { EventRecorder } from './events/event-recorder.ts';
import { WriteCounter } from './execute/write-counter.ts';
import { WrittenVersions } from './execute/written-versions.ts';
import { keyString, type PvcKey } from './keys/pvc-key.ts';
import { LeaderElector } from './machinery/leader-election.ts';
import { createControllerMetrics } from './machinery/controller-metrics.ts';
import { runController, type RunningController } from './machinery/run-controller.ts';
import type { TokenBucket } from './machinery/token-bucket.ts';
import { WorkQueue, type Priority } from './machinery/work-queue.ts';
import { WriteRateLimiter } from './machinery/write-rate-limiter.ts';
import { WriteFence } from './machinery/write-fence.ts';
import { ServerClock } from './machinery/server-clock.ts';
import { auditBackups } from './health/audit-backups.ts';
import { registerBackupGauges } from './metrics/backup-gauges.ts';
import { registerHealthGauges } from './metrics/health-gauges.ts';
import { ReportStore } from './metrics/report-store.ts';
import { makeReconcile, type ReconcilerState } from './reconcile-key.ts';
import { POLICY_JOBS_KEY } from './model/policy-snapshot.ts';
import { removedPoliciesInUse } from './config/policy-removal.ts';

export const CONTROLLER_NAME = 'reconciler';

/** How long new caches (a changed watchNamespaces, longhornNamespace or labelPrefix) may take to list. */
const SCOPE_SYNC_TIMEOUT_MS = 120_000;

export interface ReconcilerOptions {
  /** The cluster: the KubeClient main.ts loads, or a kubeconfig object (tests). */
  readonly kubeConfig: KubeSource;
  /** Where the ConfigMap and the Lease live (POD_NAMESPACE). */
  readonly namespace: string;
  /** This replica's identity in the Lease and in Events (POD_NAME). */
  readonly identity: string;
  /** Default longhorn-backup-guard. */
  readonly configMapName?: string;
  /** Default longhorn-backup-guard-reconciler. */
  readonly leaseName?: string;
  /** Default 8080; 0 picks a free port (see handle.metricsPort). */
  readonly metricsPort?: number;
  /** Default 0.0.0.0. */
  readonly metricsHost?: string;
  /** Concurrent reconciles; default 4. */
  readonly workers?: number;
  /** Writes per second and burst; default 50/s, burst 100. */
  readonly writeLimit?: TokenBucket;
  /** Leader election timing (defaults 15 s / 10 s / 2 s, as client-go). */
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly archive?: ArchiveWorkflow;
  readonly log?: Logger;
  /** This pod's wall clock (default Date.now); the apiserver's Date header corrects it (server-clock.ts). */
  readonly localClock?: () => number;
  /** Replaces the corrected clock altogether (tests that make time pass). */
  readonly now?: () => Date;
}

export interface ReconcilerHandle {
  readonly metricsPort: number;
  readonly registry: Registry;
  /** Writes this replica made, by resource and verb. */
  readonly writes: WriteCounter;
  isLeader(): boolean;
  /** The configuration in force. */
  config(): GuardConfig;
  /** Enqueues every key now (what the periodic full resync does); only while leading. */
  resync(): void;
  /**
   * Resolves once the work queue is empty, no reconcile runs (immediately when not leading) and
   * their Events are sent.
   */
  whenIdle(): Promise<void>;
  /** Finishes in-flight reconciles, releases the lease, stops informers and the server. */
  close(): Promise<void>;
}

export async function startReconciler(options: ReconcilerOptions): Promise<ReconcilerHandle> {
  const log = options.log ?? createLogger('reconciler');
  const serverClock = new ServerClock(options.localClock);
  const now = options.now ?? (() => serverClock.now());
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'backup_reconciler_clock_offset_seconds',
    help: "How far this pod's clock is behind the apiserver's (negative: ahead), from the Date of its Lease writes; every time it records or compares is corrected by it.",
    registers: [registry],
    collect() {
      this.set(serverClock.offsetMs() / 1000);
    },
  });
  const informerMetrics = createInformerMetrics(registry);
  const controllerMetrics = createControllerMetrics(registry);
  // The writes (objects and Events) have a pool of their own, reset when leadership ends, so that
  // nothing an aborted write left on a partitioned connection arrives once it heals; the reads,
  // watches and the Lease keep theirs.
  const writer = kubeClientOf(options.kubeConfig).withOwnPool();
  const limiter = new WriteRateLimiter(options.writeLimit);
  const writes = new WriteCounter(registry);
  // Bound to the elector once it exists; until then nothing leads, so nothing is admitted.
  const fence = new WriteFence();
  const admit = (): AbortSignal => fence.admit();
  const events = new EventRecorder({
    client: writer,
    instance: options.identity,
    log,
    onWrite: () => writes.count('events', 'create'),
    beforeWrite: async () => {
      await limiter.take();
      admit();
    },
  });
  const reports = new ReportStore();
  registerBackupGauges(registry, reports);
  const archive = options.archive ?? defaultArchiveWorkflow;

  let state: ReconcilerState;
  let queue: WorkQueue | undefined;
  let controller: RunningController | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  let closing = false;
  // The audit is the leader's, like the per-PVC series (cleared when it stops leading).
  registerHealthGauges(registry, reports, () =>
    controller === undefined ? undefined : auditBackups(state.caches.backupJobs(), state.config.labelPrefix, now()),
  );
  /** Keys a watch event concerns go first; every key at once (a resync) goes `low` (work-queue.ts). */
  const enqueue = (keys: readonly PvcKey[], priority: Priority = 'normal') => {
    if (queue === undefined) return;
    for (const key of keys) queue.add(keyString(key), priority);
  };
  const enqueuePolicies = (priority: Priority = 'normal') => queue?.add(POLICY_JOBS_KEY, priority);
  /** Every key, the policies' jobs among them (start of leading, resync, configuration change). */
  const enqueueAll = () => {
    enqueue(state.caches.allKeys(), 'low');
    enqueuePolicies('low');
  };
  const makeCaches = (config: GuardConfig) =>
    new ClusterCaches(scopeOf(config), {
      kubeConfig: options.kubeConfig,
      config: () => state.config,
      archiveWatches: archive.watches,
      log,
      informerMetrics,
      relistPeriodMs: config.resyncPeriod,
      onKeys: enqueue,
      onPolicies: enqueuePolicies,
    });

  // Config changes are applied one at a time; a change of what the caches watch swaps in new
  // caches once they are synced, together with the configuration that needs them.
  let applying = Promise.resolve();
  const applyConfig = async (config: GuardConfig) => {
    if (closing) return;
    if (!sameScope(scopeOf(config), state.caches.scope)) {
      log.info({ scope: scopeOf(config) }, 'configuration changed what is watched: building new caches');
      const caches = makeCaches(config);
      caches.start();
      const timeout = new AbortController();
      const synced = await Promise.race([
        caches.whenSynced(),
        sleep(SCOPE_SYNC_TIMEOUT_MS, false, { signal: timeout.signal }).catch(() => false),
      ]);
      timeout.abort();
      if (!synced || closing) {
        await caches.stop();
        if (!closing)
          log.error(
            { scope: scopeOf(config) },
            `the new scope could not be listed within ${SCOPE_SYNC_TIMEOUT_MS / 1000} s (RBAC?): the previous configuration stays in force`,
          );
        return;
      }
      const old = state.caches;
      state = { config, caches };
      await old.stop();
    } else {
      state = { config, caches: state.caches };
    }
    const keys = state.caches.allKeys();
    reports.retainOnly(keys);
    scheduleResync();
    enqueue(keys, 'low');
    enqueuePolicies('low');
  };

  const configSource = new ConfigMapSource({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    name: options.configMapName ?? 'longhorn-backup-guard',
    log,
    registry,
    informerMetrics,
    recordEvent: (event) => events.record(event),
    // Every replica's caches hold the PVCs, so every replica refuses the same update.
    refuse: (config, previous) => removedPoliciesInUse(config, previous, state.caches.policyUsers(previous)),
  });
  configSource.onChange((config) => {
    applying = applying
      .then(() => applyConfig(config))
      .catch((error: unknown) => log.error({ err: error }, 'applying the new configuration failed'));
  });
  const initial = await configSource.start();
  state = { config: initial, caches: makeCaches(initial) };
  state.caches.start();

  let server: OperationsServer;
  try {
    server = await startOperationsServer({
      host: options.metricsHost ?? '0.0.0.0',
      port: options.metricsPort ?? 8080,
      registry,
      readiness: () => (state.caches.hasSynced() ? { ready: true } : { ready: false, reason: 'caches not synced' }),
    });
  } catch (error) {
    await Promise.all([state.caches.stop(), configSource.stop()]);
    throw error;
  }

  const reconcile = makeReconcile({
    state: () => state,
    archive,
    executor: {
      client: writer,
      events,
      writes,
      written: new WrittenVersions(),
      beforeWrite: () => limiter.take(),
      fence: admit,
      onThrottled: (pauseMs) => {
        writes.throttled();
        limiter.pause(pauseMs);
        log.warn({ pauseMs }, `the apiserver sheds load (429 / Retry-After): every write waits ${pauseMs} ms`);
      },
    },
    reports,
    log,
    now,
  });

  function scheduleResync(): void {
    clearTimeout(resyncTimer);
    if (queue === undefined) return;
    resyncTimer = setTimeout(() => {
      enqueueAll();
      scheduleResync();
    }, state.config.resyncPeriod);
  }

  const startLeading = async () => {
    if (closing) return;
    await state.caches.whenSynced();
    if (closing || controller !== undefined) return;
    log.info({ identity: options.identity }, 'leading: starting workers and a full resync');
    queue = new WorkQueue({ name: CONTROLLER_NAME, metrics: controllerMetrics.workQueue });
    controller = runController({
      name: CONTROLLER_NAME,
      queue,
      reconcile,
      workers: options.workers ?? 4,
      log,
      metrics: controllerMetrics.reconcile,
    });
    enqueueAll();
    scheduleResync();
  };
  const stopLeading = async () => {
    clearTimeout(resyncTimer);
    const running = controller;
    queue = undefined;
    controller = undefined;
    await running?.stop();
    // The leader reports; a standby's series would go stale.
    reports.clear();
  };
  // Leadership changes one at a time, in order: a stop always follows a start that has finished.
  let transitions = Promise.resolve();
  const transition = (step: () => Promise<void>) => {
    transitions = transitions
      .then(step)
      .catch((error: unknown) => log.error({ err: error }, 'leadership change failed'));
  };

  const elector = new LeaderElector({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    name: options.leaseName ?? 'longhorn-backup-guard-reconciler',
    identity: options.identity,
    leaseDurationSeconds: options.leaseDurationSeconds,
    renewDeadlineMs: options.renewDeadlineMs,
    retryPeriodMs: options.retryPeriodMs,
    log,
    metrics: controllerMetrics.leaderElection,
    onServerDate: (date) => serverClock.observe(date),
    onStartedLeading: () => transition(startLeading),
    onStoppedLeading: () => {
      // At once, not after the queued transitions: writes in flight are aborted, none is admitted.
      fence.revoke();
      writer.resetConnections();
      transition(stopLeading);
    },
  });
  fence.bind(elector);
  elector.start();

  return {
    metricsPort: server.port,
    registry,
    writes,
    isLeader: () => controller !== undefined,
    config: () => state.config,
    resync: enqueueAll,
    whenIdle: async () => {
      while (queue !== undefined && (queue.length > 0 || queue.processing > 0))
        await new Promise((resolve) => setTimeout(resolve, 20));
      await events.whenSent();
    },
    close: async () => {
      if (closing) return;
      closing = true;
      // Workers first (in-flight reconciles finish), then the lease is released for a standby.
      transition(stopLeading);
      await transitions;
      // The reconciles' Events go out while this replica still leads (they are fenced like writes).
      await events.whenSent();
      await elector.stop();
      await transitions;
      await applying;
      await Promise.all([state.caches.stop(), configSource.stop(), server.close()]);
    },
  };
}
