// The archive tests' side of Longhorn: archive Snapshots and Backups listed and given statuses
// through the status subresource (as Longhorn would), PVCs that ask for an archive, and the
// reconciler as a child process (`node reconciler/src/main.ts`) for the kill tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mergePatch } from '../harness/patch-content-types.ts';
import type { Backup, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { freePort } from '../harness/free-port.ts';
import { repoRoot } from '../harness/paths.ts';
import { waitFor } from '../harness/wait-for.ts';
import { P, type ReconcilerWorld } from './reconciler-fixture.ts';

const longhorn = { group: 'longhorn.io', version: 'v1beta2' };

export const archiveLabels = (date: string) => ({ [`${P}/archive`]: 'true', [`${P}/archive-delete-after`]: date });
export const enabled = (name: string, extra: Record<string, string> = {}) => ({
  [`${P}/enabled`]: 'true',
  [`${P}/name`]: name,
  ...extra,
});

/** The archive Snapshots or Backups of a job (by the link label the workflow puts on them). */
export async function archiveObjects<T extends Snapshot | Backup>(
  world: ReconcilerWorld,
  plural: 'snapshots' | 'backups',
  job: string,
): Promise<T[]> {
  const list = (await world.custom.listNamespacedCustomObject({
    ...longhorn,
    namespace: world.longhornNs,
    plural,
    labelSelector: `${P}/archive-job=${job}`,
  })) as { items: T[] };
  return list.items.sort((a, b) =>
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '', 'en', { numeric: true }),
  );
}

export async function archiveNames(
  world: ReconcilerWorld,
  plural: 'snapshots' | 'backups',
  job: string,
): Promise<string[]> {
  return (await archiveObjects(world, plural, job)).map((o) => o.metadata.name ?? '');
}

/** Waits for the job's archive objects of `plural` to be exactly `count`, and returns the newest. */
export async function waitForArchiveObject<T extends Snapshot | Backup>(
  world: ReconcilerWorld,
  plural: 'snapshots' | 'backups',
  job: string,
  count: number,
  timeoutMs?: number,
): Promise<T> {
  return waitFor(
    `${count} archive ${plural} of ${job}`,
    async () => {
      const objects = await archiveObjects<T>(world, plural, job);
      return objects.length === count ? objects.at(-1) : undefined;
    },
    timeoutMs,
  );
}

/** Longhorn's part: a status written through the status subresource (merge patch). */
export async function setStatus(
  world: ReconcilerWorld,
  plural: 'snapshots' | 'backups',
  name: string,
  status: Record<string, unknown>,
): Promise<void> {
  await world.custom.patchNamespacedCustomObjectStatus(
    { ...longhorn, namespace: world.longhornNs, plural, name, body: { status } },
    mergePatch,
  );
}

export async function deleteVolume(world: ReconcilerWorld, name: string): Promise<void> {
  await world.custom.deleteNamespacedCustomObject({
    ...longhorn,
    namespace: world.longhornNs,
    plural: 'volumes',
    name,
  });
}

export function annotationOf(
  job: { metadata: { annotations?: Record<string, string> } } | undefined,
  key: string,
): string | undefined {
  return job?.metadata.annotations?.[`${P}/${key}`];
}

/** A PVC that is opted in and asks for an archive, bound to its Volume. */
export async function archivingPvc(
  world: ReconcilerWorld,
  namespace: string,
  name: string,
  volume: string,
  date: string,
): Promise<string> {
  await world.createPvc(namespace, name, enabled(name, archiveLabels(date)));
  await world.bind(namespace, name, volume);
  return `backup-${namespace}-${name}`;
}

export interface ChildReconciler {
  readonly metricsPort: number;
  readonly process: ChildProcess;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), and wait until it is gone. */
  stop(): Promise<void>;
}

/** `node reconciler/src/main.ts` against the world's ConfigMap and Lease, metrics on a free port. */
export async function startChildReconciler(world: ReconcilerWorld, identity: string): Promise<ChildReconciler> {
  const metricsPort = await freePort();
  const child = spawn(process.execPath, ['reconciler/src/main.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      KUBECONFIG: world.cluster.info.kubeconfigPath,
      POD_NAMESPACE: world.guardNs,
      POD_NAME: identity,
      LEASE_NAME: world.leaseName,
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  await waitFor(
    `the reconciler child's /readyz on ${metricsPort}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`the reconciler child exited with ${child.exitCode}`);
      const response = await fetch(`http://127.0.0.1:${metricsPort}/readyz`).catch(() => undefined);
      return response?.ok === true ? true : undefined;
    },
    60_000,
  );
  return { metricsPort, process: child, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

export async function scrapePort(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}
