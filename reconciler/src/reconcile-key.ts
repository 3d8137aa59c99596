// reconcile(key): snapshot the caches, decide, store the report (metrics follow at once), then
// execute the actions. The policies' shared jobs are one key of their own (POLICY_JOBS_KEY).
// Level-triggered: the event that enqueued the key is never looked at. A decision taken on a
// cached copy older than the reconciler's own last write of that object is not acted on
// (written-versions.ts): it would repeat that write.

import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { ArchiveWorkflow } from './model/archive-contract.ts';
import type { ClusterCaches } from './cache/reconciler-caches.ts';
import type { Action } from './model/actions.ts';
import { decide } from './decide/decide-key.ts';
import { mergeReports } from './model/key-report.ts';
import type { Decision, ReconcileSnapshot } from './model/reconcile-snapshot.ts';
import { foldIntoCreates, jobsCreatedBy } from './model/fold-into-creates.ts';
import { executeActions, type ExecutorDeps } from './execute/execute-actions.ts';
import type { ReconcileResult } from './machinery/run-controller.ts';
import { decideHealth, type BackupsOfJob } from './health/decide-health.ts';
import { parseKey } from './keys/pvc-key.ts';
import { decidePolicyJobs } from './decide/decide-policy-jobs.ts';
import { POLICY_JOBS_KEY } from './model/policy-snapshot.ts';
import type { ReportStore } from './metrics/report-store.ts';

/** The configuration and the caches built for its scope, always used together. */
export interface ReconcilerState {
  readonly config: GuardConfig;
  readonly caches: ClusterCaches;
}

export interface ReconcileDeps {
  readonly state: () => ReconcilerState;
  readonly archive: ArchiveWorkflow;
  readonly executor: ExecutorDeps;
  readonly reports: ReportStore;
  readonly log: Logger;
  readonly now: () => Date;
}

function describeWrite(action: Action): string | undefined {
  if (action.type === 'event') return undefined;
  return `${action.type} ${action.target.resource} ${action.target.namespace}/${action.target.name}`;
}

/**
 * The labels decision, then backup health, decided on the jobs as the decision leaves them: a job
 * it creates gets its first health record in the create itself (one write per new job).
 */
function withHealth(decision: Decision, snapshot: ReconcileSnapshot, backupsOfJob: BackupsOfJob): Decision {
  const created = jobsCreatedBy(decision.actions, snapshot.now);
  const jobNamed = (name: string) => created.get(name) ?? snapshot.jobNamed(name);
  const health = decideHealth(created.size === 0 ? snapshot : { ...snapshot, jobNamed }, backupsOfJob);
  const requeues = [decision.requeueAfter, health.requeueAfter].filter((delay) => delay !== undefined);
  return {
    actions: foldIntoCreates([...decision.actions, ...health.actions]),
    report: mergeReports(decision.report, health.report),
    ...(requeues.length === 0 ? {} : { requeueAfter: Math.min(...requeues) }),
  };
}

/** The decision for one key: a PVC's (its report stored for the metrics), or the policies' jobs. */
function decideKey(deps: ReconcileDeps, text: string): Decision {
  const { config, caches } = deps.state();
  if (text === POLICY_JOBS_KEY) return decidePolicyJobs(caches.policySnapshot(config, deps.now()));
  const key = parseKey(text);
  const snapshot = caches.snapshot(key, config, deps.now());
  const decision = withHealth(decide(snapshot, deps.archive), snapshot, caches.backupsOfJob);
  deps.reports.set(key, decision.report);
  return decision;
}

/** A decision met a copy older than our own write: the write's watch event requeues the key; this is the fallback. */
const STALE_COPY_RECHECK_MS = 1_000;

/** Whether an action would write an object whose cached copy is older than the reconciler's own last write of it. */
function decidedOnStaleCopy(actions: readonly Action[], deps: ReconcileDeps): boolean {
  const { written } = deps.executor;
  if (written === undefined) return false;
  const { caches } = deps.state();
  return actions.some((action) => {
    if (action.type === 'event') return false;
    const cached = caches.cachedVersionOf(action.target);
    return cached !== undefined && written.isBehind(action.target, cached.version);
  });
}

export function makeReconcile(deps: ReconcileDeps): (key: string) => Promise<ReconcileResult> {
  return async (text) => {
    const decision = decideKey(deps, text);
    if (decidedOnStaleCopy(decision.actions, deps)) {
      deps.log.debug({ key: text }, `${text}: the cache has not seen our last write yet; deciding again when it has`);
      return { requeueAfterMs: STALE_COPY_RECHECK_MS };
    }
    // Debug: at info, one synchronous stdout line per writing reconcile cost ~15% of the CPU under load;
    // the line is not even built unless debug is on.
    if (deps.log.isLevelEnabled('debug')) {
      const writes = decision.actions.flatMap((action) => describeWrite(action) ?? []);
      if (writes.length > 0) deps.log.debug({ key: text, writes }, `reconciling ${text}`);
    }
    const execution = await executeActions(decision.actions, deps.executor);
    if (execution.requeue) {
      deps.log.info(
        { key: text, written: execution.written },
        `${text}: the cluster changed under a write (409/404); reconciling again`,
      );
      return { requeue: true };
    }
    return decision.requeueAfter === undefined ? {} : { requeueAfterMs: decision.requeueAfter };
  };
}
