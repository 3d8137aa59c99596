// Reconciler benchmark: N labelled, bound PVCs (with Longhorn Volumes) in 50 namespaces, created up
// front on a dedicated control plane; then the real reconciler starts in a child process.
//   node bench/reconciler/run.ts [--pvcs 1000,5000] [--namespaces 50] [--setup-concurrency 32]
//                                [--workers 4] [--plain-loop true|false]
//                                [--write-limit none|default|<writes per second>]
//                                [--changes 200] [--change-rate 20] [--max-old-space-size <MiB>]
//                                [--node-options="<as shipped: NODE_OPTIONS and the image's node flags>"]
//                                [--pairs 3] [--separate-cores true|false] [--credentials token|certificate]
//                                [--apiserver-profile-dir <dir>]
// Measures, per fleet size: time from reconciler start until every job exists and every volume is
// labelled; API writes per PVC (the reconciler's own counter, checked against the apiserver's
// apiserver_request_total); writes of a full resync in the steady state (must be 0); label change
// -> updated job latency (p50/p99); peak RSS (VmHWM); and, in the same run, a plain loop making the
// same jobs and labels at the same concurrency, and client-go doing the same (the yardstick,
// bench/tools/client-go-yardstick), as ratios; how time, CPU and memory grow between sizes.
// The two sides share a noisy 2-core machine with the apiserver and etcd, so one pair of legs is
// not a ratio to trust: `--pairs` runs the reconciler and client-go again on the same fleet, the
// side going first alternating, each leg from no jobs, no labels and no Events, and the headline
// ratio is the median of the pairs' (against client-go's jobs and labels; a second median counts
// client-go's Event pass too, so both sides make the same writes). The reconciler runs with a warm
// Node compile cache, as its image ships one. Only measures; asserts nothing.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { mergePatch } from '../../tests/harness/patch-content-types.ts';
import { PooledKubeConfig } from '../../tests/harness/pooled-kube-config.ts';
import {
  countsBetween,
  meanLatencyMs,
  scrapeApiserver,
  sumByResource,
  type ApiserverLatencies,
  type ApiserverScrape,
} from '../lib/apiserver-writes.ts';
import { cpuSeconds, residentMiB, startChild, type Child } from '../lib/child-process.ts';
import { startBenchControlPlane, type ControlPlane } from '../lib/control-plane.ts';
import { writeServiceAccountKubeconfig } from '../lib/service-account-kubeconfig.ts';
import { forEachBounded } from '../lib/bounded.ts';
import { shippedNodeOptions } from '../lib/deployment-node-options.ts';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { median, summarize } from '../lib/percentiles.ts';
import { markdownTable, ms, ratio, thousands } from '../lib/table.ts';
import { createFleet, GUARD_NAMESPACE, INITIAL_RETAIN, planFleet, type FleetPvc } from './fleet.ts';
import { FleetObserver } from './fleet-observer.ts';
import { buildYardstick, runYardstick, type YardstickRun } from './client-go-yardstick.ts';
import { rawJobsAndLabels, removeJobsAndLabels } from './raw-writes.ts';
import { askReconciler, settle, type WriteTotals } from './rpc.ts';

const { values: flags } = parseArgs({
  options: {
    pvcs: { type: 'string', default: '1000,5000' },
    namespaces: { type: 'string', default: '50' },
    'setup-concurrency': { type: 'string', default: '32' },
    // The plain client-node loop beside client-go; off (false) saves a third of a large size's time.
    'plain-loop': { type: 'string', default: 'true' },
    workers: { type: 'string', default: '4' },
    'write-limit': { type: 'string', default: 'none' },
    changes: { type: 'string', default: '200' },
    'change-rate': { type: 'string', default: '20' },
    // The reconciler's V8 heap cap, e.g. to see it work inside the Deployment's memory limit.
    'max-old-space-size': { type: 'string' },
    // The reconciler process's Node options: as shipped (the Deployment's NODE_OPTIONS and the flags
    // the image's ENTRYPOINT gives node) unless given; a value replaces them, e.g.
    // --node-options="--max-old-space-size=128 --cpu-prof --cpu-prof-dir=/tmp/prof".
    'node-options': { type: 'string', default: shippedNodeOptions('reconciler') },
    // Pairs of legs (reconciler, client-go) per size; the first pair also measures the resync,
    // the label changes and the memory.
    pairs: { type: 'string', default: '3' },
    // A directory for the apiserver's CPU profile (pprof, 20 s from each leg's start), to see what
    // each side costs the control plane.
    'apiserver-profile-dir': { type: 'string' },
    // true: from the first leg on, the apiserver and etcd run on CPU 0 and everything else (this
    // script, the reconciler, client-go) on CPU 1, as in a cluster, where the control plane does
    // not share its cores with the controllers. Both sides then wait on the same one core of
    // apiserver; a side's own CPU costs its leg only where it slows the side's own requests.
    'separate-cores': { type: 'string', default: 'false' },
    // How the reconciler and client-go authenticate: 'token' (a ServiceAccount's bound token, as a
    // controller in a cluster) or 'certificate' (the admin's client certificate, as before
    // 2026-11-30). The script itself stays the admin.
    credentials: { type: 'string', default: 'token' },
  },
});
const sizes = flags.pvcs.split(',').map(Number);
const namespaces = Number(flags.namespaces);
const setupConcurrency = Number(flags['setup-concurrency']);
const workers = Number(flags.workers);
const plainLoop = flags['plain-loop'] !== 'false';
/**
 * 'none' lifts the limiter (1,000,000 writes/s) so the comparison with the plain loop is about the
 * work, not the limit.
 */
const writeLimit = flags['write-limit'] === 'none' ? '1000000' : flags['write-limit'];
const changes = Number(flags.changes);
const changeRate = Number(flags['change-rate']);
const pairs = Math.max(1, Number(flags.pairs));
const separateCores = flags['separate-cores'] === 'true';
if (flags.credentials !== 'token' && flags.credentials !== 'certificate')
  throw new Error(`--credentials is token or certificate, not ${flags.credentials}`);
const asServiceAccount = flags.credentials === 'token';
const CHANGED_RETAIN = INITIAL_RETAIN + 1;
const COMPLETE_TIMEOUT_MS = 60 * 60_000;

const log = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
const seconds = (msValue: number) => (msValue / 1000).toFixed(1);
const isEvent = (resource: string) => resource === 'events';
/** What the reconciler writes besides Events (the apiserver also counts its own writes and the Lease renewals). */
const RECONCILER_RESOURCES = new Set(['recurringjobs', 'volumes', 'persistentvolumeclaims', 'snapshots', 'backups']);
const isReconcilerObject = (resource: string) => RECONCILER_RESOURCES.has(resource);
const CONFIG = 'resyncPeriod: 12h\n'; // the benchmark triggers the full resync itself

interface SizeResult {
  readonly pvcs: number;
  readonly setupMs: number;
  readonly setupSteps: Record<string, number>;
  readonly leadingAfterMs: number;
  /** From the process start to the first job seen on the watch. */
  readonly firstJobMs: number;
  /** From the last job and label seen to every Event sent (the Events' tail). */
  readonly eventTailMs: number;
  /** Reconciles (decisions) until converged, the policies' key's included. */
  readonly reconcilesToConverge: number;
  readonly convergeMs: number;
  readonly rawMs: number;
  readonly goMs: number;
  /** client-go: from its start (process start included) to the first job seen. */
  readonly goFirstJobMs: number;
  /** client-go's jobs and labels, then one Event per PVC as the reconciler writes. */
  readonly goWithEventsMs: number;
  readonly go: YardstickRun;
  /** Every pair of legs, the first pair's reconciler leg being the one measured above. */
  readonly pairs: readonly PairResult[];
  readonly initialWrites: WriteTotals;
  readonly initialApiserverWrites: Record<string, number>;
  readonly resyncWrites: WriteTotals;
  readonly resyncApiserverWrites: Record<string, number>;
  readonly resyncMs: number;
  readonly changeLatencies: { count: number; p50: number; p99: number; max: number };
  readonly patchLatencies: { p50: number; p99: number };
  readonly changeWrites: WriteTotals;
  readonly rssMiB: { peak: number; current: number };
  /** V8 heap in use at the end after a full collection (the live set), MiB. */
  readonly heapUsedMiB: number;
  readonly cpuSecondsToConverge: number;
}

interface ChangeTiming {
  /** From just before the PATCH to the job with the new retain arriving on the watch (ms). */
  readonly total: number;
  /** Of which: the PVC PATCH's round trip (the apiserver and etcd; the reconciler plays no part). */
  readonly patch: number;
}

/** Patches `retain` on `targets` at `rate` per second; resolves with each change's timing. */
async function labelChangeLatencies(
  pooled: PooledKubeConfig,
  observer: FleetObserver,
  targets: readonly FleetPvc[],
): Promise<ChangeTiming[]> {
  // Over the pooled connection: a new TLS handshake per PATCH would be counted in each latency.
  const core = pooled.makeApiClient(CoreV1Api);
  const retainKey = backupLabelKeys(defaultConfig.labelPrefix).retain;
  const pending: Promise<ChangeTiming>[] = [];
  const started = performance.now();
  for (const [index, pvc] of targets.entries()) {
    const due = started + (index * 1000) / changeRate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const arrived = observer.whenRetain(pvc.job, CHANGED_RETAIN);
    const sentAt = performance.now();
    await core.patchNamespacedPersistentVolumeClaim(
      {
        namespace: pvc.namespace,
        name: pvc.name,
        body: { metadata: { labels: { [retainKey]: String(CHANGED_RETAIN) } } },
      },
      mergePatch,
    );
    const patch = performance.now() - sentAt;
    pending.push(arrived.then((at) => ({ total: at - sentAt, patch })));
  }
  const cancel = new AbortController();
  const timeout = sleep(120_000, undefined, { signal: cancel.signal }).then(() => {
    throw new Error('label changes did not all reach their jobs within 120 s');
  });
  try {
    return await Promise.race([Promise.all(pending), timeout]);
  } finally {
    cancel.abort();
    timeout.catch(() => undefined);
  }
}

/** Every `step`-th PVC, so the changes are spread over all namespaces. */
function spread(fleet: readonly FleetPvc[], count: number): FleetPvc[] {
  const step = Math.max(1, Math.floor(fleet.length / count));
  return fleet.filter((_, i) => i % step === 0).slice(0, count);
}

const run = promisify(execFile);

/** Every request the apiserver served in a leg (reads and watches too), by resource and verb. */
function logLegRequests(leg: string, before: ApiserverScrape, after: ApiserverScrape): void {
  log(`apiserver requests in the ${leg} leg: ${JSON.stringify(countsBetween(before.requests, after.requests))}`);
}

async function controlPlanePids(plane: ControlPlane): Promise<readonly number[]> {
  const pidOf = async (name: string) => Number(await readFile(join(plane.info.runDir, `${name}.pid`), 'utf8'));
  return Promise.all([pidOf('kube-apiserver'), pidOf('etcd')]);
}

/**
 * The apiserver's and etcd's CPU seconds so far, as a function of a control plane (they serve both
 * sides: their share is the legs' cost too). Their pids are read once.
 */
async function controlPlaneCpu(plane: ControlPlane): Promise<() => Promise<number>> {
  const pids = await controlPlanePids(plane);
  return async () => (await Promise.all(pids.map(cpuSeconds))).reduce((sum, seconds) => sum + seconds, 0);
}

/** Every thread of `pid` on `cpus` (threads started later inherit it, and so do child processes). */
async function pin(pid: number, cpus: string): Promise<void> {
  await run('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)]);
}

/** --separate-cores: the apiserver and etcd on CPU 0, this script (and what it starts from now on) on CPU 1. */
async function separateControlPlaneCores(plane: ControlPlane): Promise<void> {
  await Promise.all((await controlPlanePids(plane)).map((pid) => pin(pid, '0')));
  await pin(process.pid, '1');
  log('cores: the apiserver and etcd on CPU 0; this script, the reconciler and client-go on CPU 1');
}

/**
 * With --apiserver-profile-dir: the apiserver's CPU profile of the next 20 s, written to
 * `<dir>/<name>.pprof` (its /debug/pprof, as the kubeconfig's admin); resolves when written.
 */
async function profileApiserver(plane: ControlPlane, name: string): Promise<void> {
  const dir = flags['apiserver-profile-dir'];
  if (dir === undefined) return;
  const { stdout } = await run(
    plane.info.kubectlPath,
    ['--kubeconfig', plane.info.kubeconfigPath, 'get', '--raw', '/debug/pprof/profile?seconds=20'],
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
  );
  await writeFile(join(dir, `${name}.pprof`), stdout);
}

/**
 * The reconciler process's Node options: --expose-gc for the live heap at the end, then the options
 * asked for, then a heap cap given on its own (the last of two caps wins).
 */
const reconcilerExecArgv = [
  '--expose-gc',
  ...flags['node-options'].split(/\s+/).filter(Boolean),
  ...(flags['max-old-space-size'] === undefined ? [] : [`--max-old-space-size=${flags['max-old-space-size']}`]),
];

/**
 * A Node compile cache for the reconciler's process, written once by a start that stops at its
 * missing kubeconfig after loading every module: the image ships such a cache, so the benchmark's
 * start is the Pod's. Written under the same Node options as the measured process: V8 rejects a
 * cache made under other flags (--expose-gc is one). The directory is removed with the run.
 */
async function warmCompileCache(): Promise<{ readonly env: NodeJS.ProcessEnv; readonly dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'lbg-bench-compile-cache-'));
  const env = { ...process.env, NODE_COMPILE_CACHE: dir };
  // It ends in an error, by design: the missing kubeconfig.
  await run(
    process.execPath,
    [
      ...process.execArgv,
      // A profiler's flags leave the cache valid; the warm-up's profile would only be in the way.
      ...reconcilerExecArgv.filter((option) => !/^--(cpu|heap)-prof/.test(option)),
      join(import.meta.dirname, 'reconciler-process.ts'),
      join(dir, 'missing-kubeconfig'),
      'none',
      '1',
      'default',
    ],
    { env },
  ).catch(() => undefined);
  return { env, dir };
}

/** The apiserver's own mean latency (ms) of the job creates and the Volume label patches in one leg. */
interface WriteLatencies {
  readonly jobMs: number;
  readonly volumeMs: number;
}

const writeLatencies = (before: ApiserverLatencies, after: ApiserverLatencies): WriteLatencies => ({
  jobMs: meanLatencyMs(before, after, 'recurringjobs POST'),
  volumeMs: meanLatencyMs(before, after, 'volumes PATCH'),
});

interface ReconcilerLeg {
  readonly child: Child;
  readonly apiserverLatency: WriteLatencies;
  readonly convergeMs: number;
  readonly leadingAfterMs: number;
  readonly firstJobMs: number;
  readonly eventTailMs: number;
  readonly reconciles: number;
  readonly cpuSeconds: number;
  readonly controlPlaneCpuSeconds: number;
}

interface ClientGoLeg {
  readonly goMs: number;
  readonly apiserverLatency: WriteLatencies;
  readonly goFirstJobMs: number;
  readonly go: YardstickRun;
  readonly controlPlaneCpuSeconds: number;
  /** The apiserver's and etcd's CPU for client-go's Event pass, after its jobs and labels. */
  readonly eventsControlPlaneCpuSeconds: number;
}

/** client-go's jobs and labels, then its Events (timed apart, added): every write the reconciler makes. */
const withEventsMs = (leg: ClientGoLeg) => leg.goMs + leg.go.eventSeconds * 1000;

/** One pair of legs on the same fleet; `first` says which side went first. */
interface PairResult {
  readonly first: 'reconciler' | 'client-go';
  readonly reconcilerMs: number;
  readonly reconcilerCpuSeconds: number;
  readonly reconcilerControlPlaneCpuSeconds: number;
  readonly goMs: number;
  /** `withEventsMs` of the pair's client-go leg. */
  readonly goWithEventsMs: number;
  readonly goCpuSeconds: number;
  readonly goControlPlaneCpuSeconds: number;
  readonly goEventsControlPlaneCpuSeconds: number;
  readonly reconcilerApiserverLatency: WriteLatencies;
  readonly goApiserverLatency: WriteLatencies;
}

async function benchmarkSize(pvcs: number): Promise<SizeResult> {
  log(`--- ${pvcs} PVCs in ${namespaces} namespaces: ${loadSummary()}`);
  const plane = await startBenchControlPlane(log);
  let child: Child | undefined;
  let observer: FleetObserver | undefined;
  try {
    const kc = plane.kubeConfig();
    const controlPlaneCpuNow = await controlPlaneCpu(plane);
    const pooled = new PooledKubeConfig();
    pooled.loadFromFile(plane.info.kubeconfigPath);
    const core = pooled.makeApiClient(CoreV1Api);
    /** One scrape of the apiserver's /metrics: its write counts and write latencies so far. */
    const apiserver = (): Promise<ApiserverScrape> =>
      scrapeApiserver(plane.info.kubectlPath, plane.info.kubeconfigPath);
    const fleet = planFleet(pvcs, namespaces);
    const fleetNamespaces = [...new Set(fleet.map((pvc) => pvc.namespace))];
    const setupStarted = performance.now();
    const setupSteps = await createFleet(pooled, fleet, setupConcurrency, CONFIG);
    const setupMs = performance.now() - setupStarted;
    log(
      `set-up: ${seconds(setupMs)} s (${Object.entries(setupSteps)
        .map(([step, took]) => `${step} ${seconds(took)} s`)
        .join(', ')})`,
    );

    // What the measured processes authenticate with (the set-up above was the admin's).
    const measuredKubeconfig = asServiceAccount
      ? await writeServiceAccountKubeconfig(kc, plane.info.runDir, GUARD_NAMESPACE, 'bench-client', 'cluster-admin')
      : plane.info.kubeconfigPath;
    log(
      `the reconciler and client-go authenticate with ${asServiceAccount ? "a ServiceAccount's token (cluster-admin)" : "the admin's client certificate"}`,
    );
    if (separateCores) await separateControlPlaneCores(plane);
    observer = new FleetObserver(kc, fleet);
    await observer.start();
    const watched = observer;

    let legs = 0;
    /** Every leg starts from the same state: no jobs, no job labels, no Events of an earlier leg. */
    const resetLeg = async (): Promise<void> => {
      await removeJobsAndLabels(pooled, fleet, setupConcurrency);
      await watched.whenEmpty(COMPLETE_TIMEOUT_MS);
      await forEachBounded(fleetNamespaces, setupConcurrency, async (namespace) => {
        await core.deleteCollectionNamespacedEvent({ namespace });
      });
    };

    /**
     * Starts the reconciler and resolves once every job, label and Event is written; it keeps running.
     * `scrapedBefore`: the apiserver's metrics just taken by the caller (not scraped again).
     */
    const convergeReconciler = async (scrapedBefore?: ApiserverScrape): Promise<ReconcilerLeg> => {
      const controlPlaneBefore = await controlPlaneCpuNow();
      const profiled = profileApiserver(plane, `reconciler-leg-${++legs}`);
      const scrapeBefore = scrapedBefore ?? (await apiserver());
      const latenciesBefore = scrapeBefore.latencies;
      const started = performance.now();
      const leg = await startChild(
        join(import.meta.dirname, 'reconciler-process.ts'),
        [measuredKubeconfig, GUARD_NAMESPACE, String(workers), writeLimit],
        {
          env: compileCache.env,
          execArgv: reconcilerExecArgv,
        },
      );
      child = leg;
      const completedAt = await watched.whenComplete(COMPLETE_TIMEOUT_MS);
      // Its Events are sent beside the reconciles: converged is also every Event sent (an upper bound:
      // the answer comes after a 20 ms poll and a message).
      const reconciles = (await askReconciler(leg.process, 'idle')).reconciles;
      const idleAt = performance.now();
      // The CPU before the scrape: a scrape costs the apiserver CPU of its own.
      const cpuUsed = await cpuSeconds(leg.pid);
      const controlPlaneCpuUsed = (await controlPlaneCpuNow()) - controlPlaneBefore;
      const scrapeAfter = await apiserver();
      const result: ReconcilerLeg = {
        child: leg,
        convergeMs: Math.max(completedAt, idleAt) - started,
        leadingAfterMs: Number(leg.ready.leadingAfterMs),
        firstJobMs: (watched.firstJobAt ?? started) - started,
        eventTailMs: Math.max(0, idleAt - completedAt),
        reconciles,
        cpuSeconds: cpuUsed,
        controlPlaneCpuSeconds: controlPlaneCpuUsed,
        apiserverLatency: writeLatencies(latenciesBefore, scrapeAfter.latencies),
      };
      await profiled;
      logLegRequests('reconciler', scrapeBefore, scrapeAfter);
      log(
        `converged: ${seconds(result.convergeMs)} s after the reconciler process started (leading after ${seconds(result.leadingAfterMs)} s, first job seen after ${seconds(result.firstJobMs)} s, its Events sent ${seconds(result.eventTailMs)} s after the last job and label), ${result.cpuSeconds.toFixed(1)} CPU s (apiserver and etcd ${result.controlPlaneCpuSeconds.toFixed(1)} s), ${reconciles} reconciles`,
      );
      return result;
    };

    const clientGoLeg = async (): Promise<ClientGoLeg> => {
      const controlPlaneBefore = await controlPlaneCpuNow();
      const profiled = profileApiserver(plane, `client-go-leg-${++legs}`);
      const scrapeBefore = await apiserver();
      const latenciesBefore = scrapeBefore.latencies;
      const goStarted = performance.now();
      // Watched from the start: the program goes on to write its Events after the jobs and labels.
      const goComplete = watched.whenComplete(COMPLETE_TIMEOUT_MS).then(async (at) => ({
        at,
        controlPlaneCpuSeconds: (await controlPlaneCpuNow()) - controlPlaneBefore,
      }));
      const go = await runYardstick(yardstick, measuredKubeconfig, fleet, workers, INITIAL_RETAIN);
      const complete = await goComplete;
      await profiled;
      const eventsControlPlaneCpuSeconds =
        (await controlPlaneCpuNow()) - controlPlaneBefore - complete.controlPlaneCpuSeconds;
      const scrapeAfter = await apiserver();
      const result: ClientGoLeg = {
        goMs: complete.at - goStarted,
        goFirstJobMs: (watched.firstJobAt ?? goStarted) - goStarted,
        go,
        controlPlaneCpuSeconds: complete.controlPlaneCpuSeconds,
        eventsControlPlaneCpuSeconds,
        // Read after its Event pass: the job creates and Volume patches are all of the first pass.
        apiserverLatency: writeLatencies(latenciesBefore, scrapeAfter.latencies),
      };
      logLegRequests('client-go (its Event pass included)', scrapeBefore, scrapeAfter);
      log(
        `client-go (concurrency ${workers}): ${seconds(result.goMs)} s (first job seen after ${seconds(result.goFirstJobMs)} s; apiserver and etcd ${result.controlPlaneCpuSeconds.toFixed(1)} CPU s), then its Events ${go.eventSeconds.toFixed(1)} s (apiserver and etcd ${result.eventsControlPlaneCpuSeconds.toFixed(1)} CPU s), ${go.cpuSeconds.toFixed(1)} CPU s in all, peak RSS ${go.maxRssMiB.toFixed(0)} MiB`,
      );
      return result;
    };

    const pairOf = (first: PairResult['first'], reconciler: ReconcilerLeg, go: ClientGoLeg): PairResult => {
      log(`pair (${first} first): reconciler/client-go ${ratio(reconciler.convergeMs, go.goMs)}`);
      return {
        first,
        reconcilerMs: reconciler.convergeMs,
        reconcilerCpuSeconds: reconciler.cpuSeconds,
        reconcilerControlPlaneCpuSeconds: reconciler.controlPlaneCpuSeconds,
        goMs: go.goMs,
        goWithEventsMs: withEventsMs(go),
        goCpuSeconds: go.go.cpuSeconds,
        goControlPlaneCpuSeconds: go.controlPlaneCpuSeconds,
        goEventsControlPlaneCpuSeconds: go.eventsControlPlaneCpuSeconds,
        reconcilerApiserverLatency: reconciler.apiserverLatency,
        goApiserverLatency: go.apiserverLatency,
      };
    };

    const apiserverBefore = await apiserver();
    const first = await convergeReconciler(apiserverBefore);
    const initialWrites = await settle(first.child);
    // One scrape ends the convergence's count and starts the resync's.
    const resyncApiserverBefore = (await apiserver()).writes;
    const initialApiserverWrites = countsBetween(apiserverBefore.writes, resyncApiserverBefore);

    const resyncStarted = performance.now();
    const beforeResync = (await askReconciler(first.child.process, 'writes')).writes;
    await askReconciler(first.child.process, 'resync');
    const resyncMs = performance.now() - resyncStarted;
    const afterResync = await settle(first.child);
    const resyncWrites = countsBetween(beforeResync, afterResync);
    const resyncApiserverWrites = countsBetween(resyncApiserverBefore, (await apiserver()).writes);
    log(
      `steady-state resync of ${pvcs} keys: ${ms(resyncMs)} ms, writes ${JSON.stringify(resyncWrites)}, apiserver ${JSON.stringify(resyncApiserverWrites)}`,
    );

    const targets = spread(fleet, Math.min(changes, pvcs));
    const timings = await labelChangeLatencies(pooled, watched, targets);
    const latencies = timings.map((timing) => timing.total);
    const patchLatencies = summarize(timings.map((timing) => timing.patch));
    const changeWrites = countsBetween(afterResync, await settle(first.child));
    const changeLatencies = summarize(latencies);
    const slowest = latencies
      .map((latency, index) => ({ latency, index }))
      .sort((a, b) => b.latency - a.latency)
      .slice(0, 3);
    log(
      `label changes: ${targets.length} at ${changeRate}/s, p50 ${ms(changeLatencies.p50)} ms, p99 ${ms(changeLatencies.p99)} ms, slowest ${slowest.map((s) => `#${s.index} ${ms(s.latency)} ms (PATCH ${ms(timings[s.index]?.patch ?? 0)})`).join(', ')}; the PVC PATCH alone p50 ${ms(patchLatencies.p50)} ms, p99 ${ms(patchLatencies.p99)} ms; writes ${JSON.stringify(changeWrites)}`,
    );

    const rss = await residentMiB(first.child.pid);
    const heapUsedMiB = (await askReconciler(first.child.process, 'memory')).memory.heapUsed / 2 ** 20;
    log(
      `reconciler RSS peak ${rss.peak.toFixed(0)} MiB, now ${rss.current.toFixed(0)} MiB; live heap ${heapUsedMiB.toFixed(0)} MiB`,
    );
    await first.child.stop();
    child = undefined;

    let rawMs = 0;
    if (plainLoop) {
      await resetLeg();
      const rawStarted = performance.now();
      const measured = new PooledKubeConfig();
      measured.loadFromFile(measuredKubeconfig);
      await rawJobsAndLabels(measured, fleet, workers, INITIAL_RETAIN);
      rawMs = (await watched.whenComplete(COMPLETE_TIMEOUT_MS)) - rawStarted;
      log(
        `plain loop (concurrency ${workers}): ${seconds(rawMs)} s; reconciler/plain ${ratio(first.convergeMs, rawMs)}`,
      );
    }

    await resetLeg();
    const firstGo = await clientGoLeg();
    const pairResults = [pairOf('reconciler', first, firstGo)];
    const reconcilerLeg = async () => {
      await resetLeg();
      const leg = await convergeReconciler();
      await leg.child.stop();
      child = undefined;
      return leg;
    };
    const goLeg = async () => {
      await resetLeg();
      return clientGoLeg();
    };
    for (let pair = 1; pair < pairs; pair++) {
      // The side going first alternates, so a drift of the machine or the control plane weighs on both.
      if (pair % 2 === 0) {
        const reconciler = await reconcilerLeg();
        pairResults.push(pairOf('reconciler', reconciler, await goLeg()));
      } else {
        const go = await goLeg();
        pairResults.push(pairOf('client-go', await reconcilerLeg(), go));
      }
    }

    return {
      pvcs,
      setupMs,
      setupSteps,
      leadingAfterMs: first.leadingAfterMs,
      firstJobMs: first.firstJobMs,
      eventTailMs: first.eventTailMs,
      reconcilesToConverge: first.reconciles,
      convergeMs: first.convergeMs,
      rawMs,
      goMs: firstGo.goMs,
      goFirstJobMs: firstGo.goFirstJobMs,
      goWithEventsMs: withEventsMs(firstGo),
      go: firstGo.go,
      pairs: pairResults,
      initialWrites,
      initialApiserverWrites,
      resyncWrites,
      resyncApiserverWrites,
      resyncMs,
      changeLatencies,
      patchLatencies,
      changeWrites,
      rssMiB: rss,
      heapUsedMiB,
      cpuSecondsToConverge: first.cpuSeconds,
    };
  } finally {
    await child?.stop();
    await observer?.stop();
    await plane.stop();
    // The next size's control plane and set-up start on every core again.
    if (separateCores) await pin(process.pid, `0-${availableParallelism() - 1}`);
  }
}

log(`machine: ${describeMachine()}`);
const yardstick = await buildYardstick();
const compileCache = await warmCompileCache();
const results: SizeResult[] = [];
try {
  for (const size of sizes) results.push(await benchmarkSize(size));
} finally {
  await rm(compileCache.dir, { recursive: true, force: true });
}

/** What one worker spends per object write over a leg: its start and decisions included. */
const writeCycleMs = (legMs: number, pvcs: number) => (workers * legMs) / (2 * pvcs);
/** The median over the pairs of the reconciler's time to client-go's (`goMsOf`: which of client-go's times). */
const medianRatio = (r: SizeResult, goMsOf: (pair: PairResult) => number = (pair) => pair.goMs) =>
  median(r.pairs.map((pair) => pair.reconcilerMs / goMsOf(pair)));
const perPvc = (total: number, pvcs: number) => (total / pvcs).toFixed(2);
const limitText = `${flags['write-limit'] === 'none' ? 'write limiter lifted' : `write limit ${flags['write-limit']}`}, Node options: ${reconcilerExecArgv.join(' ')}`;
console.log(`\nmachine: ${describeMachine()}; ${loadSummary()} (at the end)`);
console.log(
  `reconciler: ${workers} workers, ${limitText}; fleet in ${namespaces} namespaces, set up at concurrency ${setupConcurrency}\n`,
);
console.log(
  markdownTable(
    ['figure', ...results.map((r) => `${thousands(r.pvcs)} PVCs`)],
    [
      [
        'set-up (namespaces, Volumes, PVCs, PVC status, PVs)',
        ...results.map((r) => `${seconds(r.setupMs)} s (${thousands((r.pvcs * 4) / (r.setupMs / 1000))} writes/s)`),
      ],
      ['reconciler start -> every job, volume label and Event', ...results.map((r) => `${seconds(r.convergeMs)} s`)],
      ['  of which: process start to leading (caches synced)', ...results.map((r) => `${seconds(r.leadingAfterMs)} s`)],
      ['  of which: process start to the first job seen', ...results.map((r) => `${seconds(r.firstJobMs)} s`)],
      [
        '  of which: after the last job and label, its Events still sending',
        ...results.map((r) => `${seconds(r.eventTailMs)} s`),
      ],
      [
        `client-go (Go, dynamic client), same jobs and labels, concurrency ${workers}`,
        ...results.map((r) => `${seconds(r.goMs)} s`),
      ],
      ['  of which: program start to the first job seen', ...results.map((r) => `${seconds(r.goFirstJobMs)} s`)],
      ['reconciler / client-go, the first pair', ...results.map((r) => ratio(r.convergeMs, r.goMs))],
      [
        `**reconciler / client-go, median of ${pairs} pair(s)** (every pair below)`,
        ...results.map((r) => `**${medianRatio(r).toFixed(2)}x**`),
      ],
      [
        'client-go, the same, then one Event per PVC as the reconciler writes (timed apart, added)',
        ...results.map((r) => `${seconds(r.goWithEventsMs)} s`),
      ],
      [
        'reconciler / client-go with the Events, the first pair',
        ...results.map((r) => ratio(r.convergeMs, r.goWithEventsMs)),
      ],
      [
        `reconciler / client-go with the Events, median of ${pairs} pair(s)`,
        ...results.map((r) => `${medianRatio(r, (pair) => pair.goWithEventsMs).toFixed(2)}x`),
      ],
      [
        `plain loop (client-node, pooled transport), same jobs and labels, concurrency ${workers}`,
        ...results.map((r) => (r.rawMs === 0 ? 'not run' : `${seconds(r.rawMs)} s`)),
      ],
      ['reconciler / plain loop', ...results.map((r) => ratio(r.convergeMs, r.rawMs))],
      [
        'reconciles (decisions) to converge, per PVC',
        ...results.map((r) => `${thousands(r.reconcilesToConverge)} (${perPvc(r.reconcilesToConverge, r.pvcs)})`),
      ],
      [
        'reconciler CPU to converge / client-go CPU (its jobs, labels and Events)',
        ...results.map((r) => `${r.cpuSecondsToConverge.toFixed(1)} / ${r.go.cpuSeconds.toFixed(1)} s`),
      ],
      [
        'writes per PVC, jobs + volumes + PVCs (reconciler count)',
        ...results.map((r) =>
          perPvc(
            sumByResource(r.initialWrites, (x) => !isEvent(x)),
            r.pvcs,
          ),
        ),
      ],
      ['Events per PVC', ...results.map((r) => perPvc(sumByResource(r.initialWrites, isEvent), r.pvcs))],
      [
        'writes per PVC, apiserver count (jobs + volumes + PVCs)',
        ...results.map((r) => perPvc(sumByResource(r.initialApiserverWrites, isReconcilerObject), r.pvcs)),
      ],
      ['steady-state full resync: duration', ...results.map((r) => `${ms(r.resyncMs)} ms`)],
      [
        'steady-state full resync: writes incl. Events (reconciler / apiserver)',
        ...results.map(
          (r) =>
            `${sumByResource(r.resyncWrites)} / ${sumByResource(r.resyncApiserverWrites, (x) => isReconcilerObject(x) || isEvent(x))}`,
        ),
      ],
      [
        `label change -> job updated, p50 / p99 / max (${changes} at ${changeRate}/s)`,
        ...results.map(
          (r) => `${ms(r.changeLatencies.p50)} / ${ms(r.changeLatencies.p99)} / ${ms(r.changeLatencies.max)} ms`,
        ),
      ],
      [
        '  of which: the PVC PATCH round trip, p50 / p99 (apiserver and etcd, before the reconciler sees it)',
        ...results.map((r) => `${ms(r.patchLatencies.p50)} / ${ms(r.patchLatencies.p99)} ms`),
      ],
      [
        'writes per label change (jobs / Events)',
        ...results.map(
          (r) =>
            `${perPvc(
              sumByResource(r.changeWrites, (x) => !isEvent(x)),
              r.changeLatencies.count,
            )} / ${perPvc(sumByResource(r.changeWrites, isEvent), r.changeLatencies.count)}`,
        ),
      ],
      [
        'reconciler RSS: peak (VmHWM) / at the end (VmRSS)',
        ...results.map((r) => `${r.rssMiB.peak.toFixed(0)} / ${r.rssMiB.current.toFixed(0)} MiB`),
      ],
      [
        'reconciler V8 heap live at the end (after a full GC)',
        ...results.map((r) => `${r.heapUsedMiB.toFixed(0)} MiB`),
      ],
      ['client-go peak RSS', ...results.map((r) => `${r.go.maxRssMiB.toFixed(0)} MiB`)],
    ],
  ),
);
if (results.length > 1) {
  // How each figure grows with the fleet, from one size to the next (per 1,000 more PVCs).
  const steps = results.slice(1).map((r, i) => ({ from: results[i] as SizeResult, to: r }));
  const per1000 = (a: number, b: number, from: SizeResult, to: SizeResult) => ((b - a) / (to.pvcs - from.pvcs)) * 1000;
  const signed = (value: number, text: string) => `${value >= 0 ? '+' : ''}${text}`;
  console.log(
    `\n${markdownTable(
      [
        'growth per 1,000 more PVCs',
        ...steps.map(({ from, to }) => `${thousands(from.pvcs)} -> ${thousands(to.pvcs)}`),
      ],
      [
        [
          'reconciler time to converge',
          ...steps.map(({ from, to }) => {
            const v = per1000(from.convergeMs, to.convergeMs, from, to);
            return signed(v, `${seconds(v)} s`);
          }),
        ],
        [
          'client-go time',
          ...steps.map(({ from, to }) => {
            const v = per1000(from.goMs, to.goMs, from, to);
            return signed(v, `${seconds(v)} s`);
          }),
        ],
        [
          'reconciler CPU',
          ...steps.map(({ from, to }) => {
            const v = per1000(from.cpuSecondsToConverge, to.cpuSecondsToConverge, from, to);
            return signed(v, `${v.toFixed(1)} s`);
          }),
        ],
        [
          'reconciler peak RSS',
          ...steps.map(({ from, to }) => {
            const v = per1000(from.rssMiB.peak, to.rssMiB.peak, from, to);
            return signed(v, `${v.toFixed(1)} MiB`);
          }),
        ],
        [
          'reconciler live heap',
          ...steps.map(({ from, to }) => {
            const v = per1000(from.heapUsedMiB, to.heapUsedMiB, from, to);
            return signed(v, `${v.toFixed(1)} MiB`);
          }),
        ],
      ],
    )}`,
  );
}
for (const r of results) {
  console.log(
    `\n${thousands(r.pvcs)} PVCs, every pair of legs (each from no jobs, labels or Events; the side going first alternates):\n`,
  );
  console.log(
    markdownTable(
      [
        'pair',
        'first',
        'reconciler',
        'client-go',
        'ratio',
        'ratio to client-go with its Events',
        'CPU reconciler / client-go (its Event pass included)',
        'apiserver + etcd CPU, reconciler leg / client-go leg + its Event pass',
        "the apiserver's mean latency of a job create / Volume patch, reconciler leg; client-go leg",
        `per worker, the time per object write (${workers} workers x leg time / 2 writes per PVC), reconciler / client-go`,
      ],
      r.pairs.map((pair, index) => [
        String(index + 1),
        pair.first,
        `${seconds(pair.reconcilerMs)} s`,
        `${seconds(pair.goMs)} s`,
        ratio(pair.reconcilerMs, pair.goMs),
        ratio(pair.reconcilerMs, pair.goWithEventsMs),
        `${pair.reconcilerCpuSeconds.toFixed(1)} / ${pair.goCpuSeconds.toFixed(1)} s`,
        `${pair.reconcilerControlPlaneCpuSeconds.toFixed(1)} / ${pair.goControlPlaneCpuSeconds.toFixed(1)} + ${pair.goEventsControlPlaneCpuSeconds.toFixed(1)} s`,
        `${ms(pair.reconcilerApiserverLatency.jobMs)} / ${ms(pair.reconcilerApiserverLatency.volumeMs)}; ${ms(pair.goApiserverLatency.jobMs)} / ${ms(pair.goApiserverLatency.volumeMs)} ms`,
        `${ms(writeCycleMs(pair.reconcilerMs, r.pvcs))} / ${ms(writeCycleMs(pair.goMs, r.pvcs))} ms`,
      ]),
    ),
  );
}
console.log('\nwrites by resource/verb (reconciler count), initial convergence:');
for (const r of results)
  console.log(
    `  ${r.pvcs}: ${JSON.stringify(r.initialWrites)}; apiserver: ${JSON.stringify(r.initialApiserverWrites)}`,
  );
