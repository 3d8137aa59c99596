// The real reconciler (startReconciler: ConfigMap, informers, leader election, workers, write
// limiter) in a process of its own, so its peak RSS is its own and it shares no event loop with
// the measuring script. Answers { id, command } messages from run.ts (see rpc.ts). With
// LBG_BENCH_HEAP_SNAPSHOT_DIR set, the `memory` command (after the RSS is read) also writes a heap
// snapshot there, after the full GC: what the live heap holds at the end. With
// LBG_BENCH_ALLOCATION_PROFILE_DIR set, V8's sampling heap profiler runs from the start (objects
// the collector freed included) and the first `idle` (converged) writes what was allocated where
// to `reconciler-<pid>.heapprofile` there (Chrome DevTools reads it); the profiler and the write
// slow the process, so such a run's times are no figures.
//   node bench/reconciler/reconciler-process.ts <kubeconfig> <namespace> <workers> <writes per second|default>
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { loadKubeClient } from '@longhorn-backup-guard/shared/kube/load-kube-config';
import { startReconciler } from '@longhorn-backup-guard/reconciler/start-reconciler';
import { waitFor } from '../../tests/harness/wait-for.ts';
import { reportReady, stopWith } from '../lib/child-process.ts';
import { isCommand, type ReconcilerAnswer } from './rpc.ts';

const [kubeconfigPath, namespace, workers, writeRate] = process.argv.slice(2);
if (kubeconfigPath === undefined || namespace === undefined || workers === undefined || writeRate === undefined) {
  throw new Error('usage: reconciler-process.ts <kubeconfig> <namespace> <workers> <writes per second|default>');
}
/** Sampling every 4 KiB on average: a few thousand samples per second at most. */
const ALLOCATION_SAMPLING_BYTES = 4096;
const allocationProfileDir = process.env.LBG_BENCH_ALLOCATION_PROFILE_DIR;
let allocationProfiler: Session | undefined;
if (allocationProfileDir) {
  allocationProfiler = new Session();
  allocationProfiler.connect();
  await allocationProfiler.post('HeapProfiler.startSampling', {
    samplingInterval: ALLOCATION_SAMPLING_BYTES,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}

/** The allocation profile so far, written once (at the first `idle`: the convergence). */
async function writeAllocationProfile(): Promise<void> {
  const session = allocationProfiler;
  if (session === undefined || allocationProfileDir === undefined) return;
  allocationProfiler = undefined;
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  await writeFile(join(allocationProfileDir, `reconciler-${process.pid}.heapprofile`), JSON.stringify(profile));
}

// The components' own client and kubeconfig loader, as main.ts uses them (no client-node at run time).
const kubeConfig = loadKubeClient({ KUBECONFIG: kubeconfigPath });

const reconciler = await startReconciler({
  kubeConfig,
  namespace,
  identity: 'bench-reconciler',
  metricsHost: '127.0.0.1',
  metricsPort: 0,
  workers: Number(workers),
  ...(writeRate === 'default' ? {} : { writeLimit: { ratePerSecond: Number(writeRate), burst: Number(writeRate) } }),
});
stopWith(() => reconciler.close());

const writes = () => Object.fromEntries(reconciler.writes.snapshot());
const reconciles = async (): Promise<number> => {
  const metric = await reconciler.registry.getSingleMetric('controller_runtime_reconcile_total')?.get();
  return (metric?.values ?? []).reduce((sum, { value }) => sum + value, 0);
};
process.on('message', (message: unknown) => {
  if (!isCommand(message)) return;
  const answer = async (): Promise<ReconcilerAnswer> => {
    if (message.command === 'resync') reconciler.resync();
    if (message.command === 'resync' || message.command === 'idle') await reconciler.whenIdle();
    if (message.command === 'idle') await writeAllocationProfile();
    if (message.command === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      const snapshotDir = process.env.LBG_BENCH_HEAP_SNAPSHOT_DIR;
      if (snapshotDir) writeHeapSnapshot(join(snapshotDir, `reconciler-${process.pid}.heapsnapshot`));
    }
    return { id: message.id, writes: writes(), reconciles: await reconciles(), memory: process.memoryUsage() };
  };
  answer().then(
    (reply) => process.send?.(reply),
    (error: unknown) =>
      process.send?.({
        id: message.id,
        writes: writes(),
        reconciles: 0,
        memory: process.memoryUsage(),
        error: error instanceof Error ? error.message : String(error),
      }),
  );
});

await waitFor('the reconciler leading', async () => (reconciler.isLeader() ? true : undefined), 60_000, 20);
reportReady({ leadingAfterMs: Math.round(performance.now()) });
