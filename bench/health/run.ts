// Backup-health benchmark: the reconciler's memory with B Backup objects in its cache, against the
// same reconciler on the same fleet without them, in the same run on a dedicated control plane.
//   node bench/health/run.ts [--pvcs 5000] [--backups-per-pvc 8] [--namespaces 50] [--setup-concurrency 16]
//                            [--backup-concurrency 48] [--node-options="<as shipped>"]
// Steps: N labelled, bound PVCs with their Volumes; a first reconciler converges them (jobs, volume
// labels, health recorded) and stops. Then, each in a fresh reconciler process on the settled
// fleet: without Backups; with N x B Backups as Longhorn's backup controller leaves them (full
// objects: spec, status with labels, URL, sizes, times; made through the status subresource).
// Figures per process, once its caches are synced and it is idle: RSS now and peak, V8 heap live
// after a full GC, time from process start to idle. Only measures; asserts nothing.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import {
  LONGHORN_API_VERSION,
  LONGHORN_GROUP,
  LONGHORN_PLURALS,
  LONGHORN_VERSION,
} from '@longhorn-backup-guard/shared/longhorn/api';
import { forEachBounded } from '../lib/bounded.ts';
import { residentMiB, startChild } from '../lib/child-process.ts';
import { startBenchControlPlane } from '../lib/control-plane.ts';
import { shippedNodeOptions } from '../lib/deployment-node-options.ts';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { markdownTable, ratio, thousands } from '../lib/table.ts';
import { createFleet, GUARD_NAMESPACE, LONGHORN_NAMESPACE, planFleet, type FleetPvc } from '../reconciler/fleet.ts';
import { FleetObserver } from '../reconciler/fleet-observer.ts';
import { askReconciler, settle } from '../reconciler/rpc.ts';
import { pooledClient, type PooledRequest } from './pooled-client.ts';

const { values: flags } = parseArgs({
  options: {
    pvcs: { type: 'string', default: '5000' },
    'backups-per-pvc': { type: 'string', default: '8' },
    namespaces: { type: 'string', default: '50' },
    'setup-concurrency': { type: 'string', default: '16' },
    // Each Backup is two writes (the object, then its status): the longest step of the set-up.
    'backup-concurrency': { type: 'string', default: '48' },
    // Node options of the measured reconciler processes: as shipped (NODE_OPTIONS and the image's
    // node flags) unless given.
    'node-options': { type: 'string', default: shippedNodeOptions('reconciler') },
  },
});
const nodeOptions = flags['node-options'].split(/\s+/).filter(Boolean);
const pvcs = Number(flags.pvcs);
const perPvc = Number(flags['backups-per-pvc']);
const namespaces = Number(flags.namespaces);
const concurrency = Number(flags['setup-concurrency']);
const backupConcurrency = Number(flags['backup-concurrency']);
const CONFIG = 'resyncPeriod: 12h\n';
const HOUR = 3_600_000;

const log = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
const seconds = (msValue: number) => (msValue / 1000).toFixed(1);

interface Measure {
  readonly label: string;
  readonly backups: number;
  readonly idleAfterMs: number;
  readonly rss: { peak: number; current: number };
  readonly heapMiB: number;
  readonly writes: string;
}

const BACKUPS_PATH = resourcePath({
  group: LONGHORN_GROUP,
  version: LONGHORN_VERSION,
  plural: LONGHORN_PLURALS.backup,
  namespace: LONGHORN_NAMESPACE,
});

/** A Backup as Longhorn's backup controller leaves a recurring job's completed run. */
async function createBackup(send: PooledRequest, pvc: FleetPvc, run: number, completedAt: Date): Promise<void> {
  const name = `backup-${pvc.volume.slice(4, 20)}-${run}`;
  const snapshot = `${pvc.job}-c-${run.toString(16).padStart(6, '0')}`;
  await send('POST', BACKUPS_PATH, {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'Backup',
    metadata: { name, labels: { 'backup-volume': pvc.volume, 'backup-target': 'default' } },
    spec: {
      snapshotName: snapshot,
      backupMode: run % 4 === 0 ? 'full' : 'incremental',
      labels: { RecurringJob: pvc.job },
    },
  });
  await send(
    'PATCH',
    `${BACKUPS_PATH}/${name}/status`,
    {
      status: {
        state: 'Completed',
        progress: 100,
        ownerID: 'node-1',
        backupTargetName: 'default',
        compressionMethod: 'lz4',
        url: `s3://backups@us-east-1/longhorn?backup=${name}&volume=${pvc.volume}`,
        snapshotName: snapshot,
        volumeName: pvc.volume,
        snapshotCreatedAt: completedAt.toISOString(),
        backupCreatedAt: completedAt.toISOString(),
        lastSyncedAt: completedAt.toISOString(),
        size: '2147483648',
        newlyUploadDataSize: '104857600',
        reUploadedDataSize: '0',
        volumeSize: '10737418240',
        volumeCreated: '2026-01-01T00:00:00Z',
        volumeBackingImageName: '',
        replicaAddress: 'tcp://10.42.1.17:10010',
        labels: {
          RecurringJob: pvc.job,
          'longhorn.io/volume-access-mode': 'rwo',
          KubernetesStatus: JSON.stringify({
            pvName: pvc.volume,
            pvStatus: 'Bound',
            namespace: pvc.namespace,
            pvcName: pvc.name,
            workloadsStatus: [
              { podName: `${pvc.name}-0`, podStatus: 'Running', workloadName: pvc.name, workloadType: 'StatefulSet' },
            ],
          }),
        },
        messages: {},
      },
    },
    'application/merge-patch+json',
  );
}

async function createBackups(kc: KubeConfig, fleet: readonly FleetPvc[]): Promise<number> {
  const client = await pooledClient(kc, backupConcurrency);
  const now = Date.now();
  const runs = fleet.flatMap((pvc) =>
    Array.from({ length: perPvc }, (_, run) => ({ pvc, run, at: new Date(now - (perPvc - run) * 6 * HOUR) })),
  );
  let done = 0;
  try {
    await forEachBounded(runs, backupConcurrency, async ({ pvc, run, at }) => {
      await createBackup(client.send, pvc, run, at);
      if (++done % 5000 === 0) log(`  ${thousands(done)} Backups`);
    });
  } finally {
    client.close();
  }
  return runs.length;
}

/** A fresh reconciler process on the settled fleet: time to idle, memory once idle. */
async function measure(label: string, backups: number, kubeconfigPath: string): Promise<Measure> {
  const started = performance.now();
  const child = await startChild(
    join(import.meta.dirname, '..', 'reconciler', 'reconciler-process.ts'),
    [kubeconfigPath, GUARD_NAMESPACE, '4', '1000000'],
    { execArgv: ['--expose-gc', ...nodeOptions] },
  );
  try {
    const writes = await settle(child);
    const idleAfterMs = performance.now() - started;
    const heapMiB = (await askReconciler(child.process, 'memory')).memory.heapUsed / 2 ** 20;
    const rss = await residentMiB(child.pid);
    log(
      `${label}: idle after ${seconds(idleAfterMs)} s, RSS ${rss.current.toFixed(0)} MiB (peak ${rss.peak.toFixed(0)}), heap ${heapMiB.toFixed(0)} MiB, writes ${JSON.stringify(writes)}`,
    );
    return { label, backups, idleAfterMs, rss, heapMiB, writes: JSON.stringify(writes) };
  } finally {
    await child.stop();
  }
}

log(`machine: ${describeMachine()}; ${loadSummary()}`);
const plane = await startBenchControlPlane(log);
try {
  const kc = plane.kubeConfig();
  const fleet = planFleet(pvcs, namespaces);
  await createFleet(kc, fleet, concurrency, CONFIG);
  log(`fleet: ${thousands(pvcs)} PVCs in ${namespaces} namespaces`);
  const observer = new FleetObserver(kc, fleet);
  await observer.start();
  const first = await startChild(
    join(import.meta.dirname, '..', 'reconciler', 'reconciler-process.ts'),
    [plane.info.kubeconfigPath, GUARD_NAMESPACE, '4', '1000000'],
    { execArgv: ['--expose-gc', ...nodeOptions] },
  );
  await observer.whenComplete(60 * 60_000);
  await settle(first);
  await first.stop();
  await observer.stop();
  log('converged; the first reconciler stopped');

  const without = await measure('without Backups', 0, plane.info.kubeconfigPath);
  const started = performance.now();
  const count = await createBackups(kc, fleet);
  log(`${thousands(count)} Backups made in ${seconds(performance.now() - started)} s`);
  const withBackups = await measure(`with ${thousands(count)} Backups`, count, plane.info.kubeconfigPath);

  const results = [without, withBackups];
  console.log(`\nmachine: ${describeMachine()}; ${loadSummary()} (at the end)`);
  console.log(
    `fleet: ${thousands(pvcs)} PVCs in ${namespaces} namespaces; ${perPvc} completed Backups per PVC; reconciler 4 workers\n`,
  );
  console.log(
    markdownTable(
      ['figure', ...results.map((r) => r.label), 'with / without'],
      [
        [
          'process start -> caches synced, idle',
          ...results.map((r) => `${seconds(r.idleAfterMs)} s`),
          ratio(withBackups.idleAfterMs, without.idleAfterMs),
        ],
        [
          'RSS once idle (VmRSS)',
          ...results.map((r) => `${r.rss.current.toFixed(0)} MiB`),
          ratio(withBackups.rss.current, without.rss.current),
        ],
        [
          'RSS peak (VmHWM)',
          ...results.map((r) => `${r.rss.peak.toFixed(0)} MiB`),
          ratio(withBackups.rss.peak, without.rss.peak),
        ],
        [
          'V8 heap live (after a full GC)',
          ...results.map((r) => `${r.heapMiB.toFixed(0)} MiB`),
          ratio(withBackups.heapMiB, without.heapMiB),
        ],
        [
          'heap per Backup',
          '',
          `${(((withBackups.heapMiB - without.heapMiB) * 2 ** 20) / Math.max(1, count)).toFixed(0)} bytes`,
          '',
        ],
        ['writes until idle', ...results.map((r) => r.writes), ''],
      ],
    ),
  );
} finally {
  await plane.stop();
}
