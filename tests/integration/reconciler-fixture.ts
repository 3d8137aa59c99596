// A world of its own for a reconciler test file: a Longhorn namespace, app namespaces, a
// StorageClass with Longhorn's provisioner, the reconciler's namespace with its ConfigMap, and
// helpers that play Longhorn and the PV binder (spec.volumeName, Volume objects).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CoreV1Api,
  CustomObjectsApi,
  StorageV1Api,
  type CoreV1Event,
  type V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import { isNotFound } from '@longhorn-backup-guard/shared/kube/api-errors';
import { mergePatch } from '../harness/patch-content-types.ts';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { BackupState, RecurringJob, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import {
  startReconciler,
  type ReconcilerHandle,
  type ReconcilerOptions,
} from '@longhorn-backup-guard/reconciler/start-reconciler';
import type { TestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';

export const P = 'backup.vluwte.nl';

/** The labels of an opted-in PVC with backup name `name`. */
export function enabledLabels(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [`${P}/enabled`]: 'true', [`${P}/name`]: name, ...extra };
}
const longhorn = { group: 'longhorn.io', version: 'v1beta2' };

export interface WorldOptions {
  /** How many app namespaces (watched). */
  appNamespaces?: number;
  /** Extra YAML lines of the configuration. */
  extraConfig?: string;
}

export interface BindOptions {
  /** The PV's name (default: pvNameFor(volumeName), never the Volume's: PVs are cluster-wide). */
  pvName?: string;
  /** The PV's CSI driver (default Longhorn's). */
  driver?: string;
  /** Create the Volume (default true). */
  createVolume?: boolean;
  /** Record the PVC in the Volume's status.kubernetesStatus, as Longhorn does (default true). */
  kubernetesStatus?: boolean;
}

export class ReconcilerWorld {
  readonly cluster: TestCluster;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly storage: StorageV1Api;
  readonly longhornNs: string;
  readonly guardNs: string;
  readonly apps: string[];
  readonly storageClass: string;
  readonly leaseName = 'reconciler-lease';
  readonly #handles: ReconcilerHandle[] = [];
  readonly #pvs: string[] = [];

  private constructor(cluster: TestCluster, longhornNs: string, guardNs: string, apps: string[], storageClass: string) {
    this.cluster = cluster;
    const kc = cluster.kubeConfig();
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.storage = kc.makeApiClient(StorageV1Api);
    this.longhornNs = longhornNs;
    this.guardNs = guardNs;
    this.apps = apps;
    this.storageClass = storageClass;
  }

  static async create(cluster: TestCluster, options: WorldOptions = {}): Promise<ReconcilerWorld> {
    const longhornNs = await cluster.createNamespace('lh');
    const guardNs = await cluster.createNamespace('guard');
    const apps: string[] = [];
    for (let i = 0; i < (options.appNamespaces ?? 1); i++) apps.push(await cluster.createNamespace(`app${i}`));
    const storageClass = `longhorn-${randomBytes(4).toString('hex')}`;
    const world = new ReconcilerWorld(cluster, longhornNs, guardNs, apps, storageClass);
    await world.storage.createStorageClass({
      body: { metadata: { name: storageClass }, provisioner: 'driver.longhorn.io' },
    });
    await world.writeConfig(world.configYaml(options.extraConfig ?? ''));
    return world;
  }

  /** A world around namespaces and a StorageClass that exist already (the product installed as shipped). */
  static adopt(
    cluster: TestCluster,
    names: { longhornNs: string; guardNs: string; apps: string[]; storageClass: string },
  ): ReconcilerWorld {
    return new ReconcilerWorld(cluster, names.longhornNs, names.guardNs, names.apps, names.storageClass);
  }

  configYaml(extra: string): string {
    return [
      `longhornNamespace: ${this.longhornNs}`,
      `watchNamespaces: [${this.apps.join(', ')}]`,
      'orphanGracePeriod: 4s',
      'resyncPeriod: 30s',
      extra,
    ].join('\n');
  }

  async writeConfig(yaml: string): Promise<void> {
    const body = {
      metadata: { name: 'longhorn-backup-guard', namespace: this.guardNs },
      data: { 'config.yaml': yaml },
    };
    try {
      await this.core.replaceNamespacedConfigMap({ name: 'longhorn-backup-guard', namespace: this.guardNs, body });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.core.createNamespacedConfigMap({ namespace: this.guardNs, body });
    }
  }

  async start(identity = 'replica-1', options: Partial<ReconcilerOptions> = {}): Promise<ReconcilerHandle> {
    const handle = await startReconciler({
      kubeConfig: this.cluster.kubeConfig(),
      namespace: this.guardNs,
      identity,
      leaseName: this.leaseName,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      leaseDurationSeconds: 3,
      renewDeadlineMs: 2_000,
      retryPeriodMs: 300,
      log: createLogger('reconciler-test', process.env.LOG_LEVEL ?? 'error'),
      ...options,
    });
    this.#handles.push(handle);
    return handle;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.#handles.splice(0).map((handle) => handle.close()));
    await this.storage.deleteStorageClass({ name: this.storageClass }).catch(() => undefined);
    for (const name of this.#pvs.splice(0)) await this.core.deletePersistentVolume({ name }).catch(() => undefined);
  }

  async createPvc(
    namespace: string,
    name: string,
    labels: Record<string, string>,
    storageClassName = this.storageClass,
  ): Promise<V1PersistentVolumeClaim> {
    return this.core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name, labels },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: '1Gi' } } },
      },
    });
  }

  async labelPvc(namespace: string, name: string, labels: Record<string, string | null>): Promise<void> {
    await this.core.patchNamespacedPersistentVolumeClaim(
      { namespace, name, body: { metadata: { labels } } },
      mergePatch,
    );
  }

  async getPvc(namespace: string, name: string): Promise<V1PersistentVolumeClaim> {
    return this.core.readNamespacedPersistentVolumeClaim({ namespace, name });
  }

  /**
   * Plays Longhorn's CSI provisioner, the PV binder and Longhorn: the Volume exists (with the PVC in
   * its kubernetesStatus), a Longhorn CSI PV whose volumeHandle is the Volume and whose claimRef
   * names the PVC (namespace, name, uid), the PVC names the PV and is Bound. PVs are cluster-wide,
   * so the PV gets a name of this world's own unless `pvName` says otherwise.
   */
  async bind(
    namespace: string,
    pvcName: string,
    volumeName: string,
    volumeLabels: Record<string, string> = {},
    options: BindOptions = {},
  ): Promise<string> {
    const pvName = options.pvName ?? this.pvNameFor(volumeName);
    if (options.createVolume !== false) await this.createVolume(volumeName, volumeLabels);
    if (options.kubernetesStatus !== false) {
      await this.custom.patchNamespacedCustomObjectStatus(
        {
          ...longhorn,
          namespace: this.longhornNs,
          plural: 'volumes',
          name: volumeName,
          body: { status: { kubernetesStatus: { namespace, pvcName, pvName } } },
        },
        mergePatch,
      );
    }
    const claim = await this.getPvc(namespace, pvcName);
    await this.createPv(
      pvName,
      volumeName,
      { namespace, name: pvcName, uid: claim.metadata?.uid ?? '' },
      options.driver,
    );
    await this.core.patchNamespacedPersistentVolumeClaim(
      { namespace, name: pvcName, body: { spec: { volumeName: pvName } } },
      mergePatch,
    );
    await this.core.patchNamespacedPersistentVolumeClaimStatus(
      { namespace, name: pvcName, body: { status: { phase: 'Bound' } } },
      mergePatch,
    );
    return pvName;
  }

  /** A PV name of this world's own for the Volume `volumeName` (PVs are cluster-scoped). */
  pvNameFor(volumeName: string): string {
    return `${this.longhornNs}-${volumeName}`;
  }

  /** A CSI PV (Longhorn's driver unless `driver`) of the Volume `volumeHandle`, bound to `claim` when given. */
  async createPv(
    name: string,
    volumeHandle: string,
    claim: { namespace: string; name: string; uid: string } | undefined,
    driver = 'driver.longhorn.io',
  ): Promise<void> {
    await this.core.createPersistentVolume({
      body: {
        metadata: { name },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: this.storageClass,
          csi: { driver, volumeHandle },
          ...(claim === undefined ? {} : { claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...claim } }),
        },
      },
    });
    this.#pvs.push(name);
  }

  /**
   * What Longhorn's backup controller leaves for a run of `job`: the Backup (labelled as a recurring
   * job's), then its status; a Completed one was made at `at` (its backupCreatedAt and URL).
   */
  async playBackup(
    job: string,
    volume: string,
    name: string,
    state: BackupState,
    at: Date,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...longhorn,
      namespace: this.longhornNs,
      plural: 'backups',
      body: {
        apiVersion: 'longhorn.io/v1beta2',
        kind: 'Backup',
        metadata: { name, labels: { 'backup-volume': volume } },
        spec: { snapshotName: name, labels: { RecurringJob: job } },
      },
    });
    const completed =
      state === 'Completed'
        ? { backupCreatedAt: at.toISOString(), url: `s3://backups@us-east-1/?backup=${name}&volume=${volume}` }
        : {};
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        ...longhorn,
        namespace: this.longhornNs,
        plural: 'backups',
        name,
        body: { status: { state, volumeName: volume, progress: 100, ...completed, ...extra } },
      },
      mergePatch,
    );
  }

  async createVolume(name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...longhorn,
      namespace: this.longhornNs,
      plural: 'volumes',
      body: {
        apiVersion: 'longhorn.io/v1beta2',
        kind: 'Volume',
        metadata: { name, labels },
        spec: { size: '1073741824', numberOfReplicas: 3 },
      },
    });
  }

  /** Deletes the PVC and plays the PVC protection controller (removes its finalizer). */
  async deletePvc(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedPersistentVolumeClaim({ namespace, name });
    await this.core
      .patchNamespacedPersistentVolumeClaim({ namespace, name, body: { metadata: { finalizers: null } } }, mergePatch)
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    await waitFor(`PVC ${namespace}/${name} gone`, async () =>
      (await this.findPvc(namespace, name)) === undefined ? true : undefined,
    );
  }

  async findPvc(namespace: string, name: string): Promise<V1PersistentVolumeClaim | undefined> {
    try {
      return await this.getPvc(namespace, name);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async job(name: string): Promise<RecurringJob | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({
        ...longhorn,
        namespace: this.longhornNs,
        plural: 'recurringjobs',
        name,
      })) as RecurringJob;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async jobs(): Promise<RecurringJob[]> {
    const list = (await this.custom.listNamespacedCustomObject({
      ...longhorn,
      namespace: this.longhornNs,
      plural: 'recurringjobs',
    })) as { items: RecurringJob[] };
    return list.items;
  }

  async createJob(name: string, labels: Record<string, string> = {}): Promise<RecurringJob> {
    return (await this.custom.createNamespacedCustomObject({
      ...longhorn,
      namespace: this.longhornNs,
      plural: 'recurringjobs',
      body: {
        apiVersion: 'longhorn.io/v1beta2',
        kind: 'RecurringJob',
        metadata: { name, labels },
        spec: { name, task: 'backup', cron: '0 2 * * *', retain: 3, concurrency: 1 },
      },
    })) as RecurringJob;
  }

  async volume(name: string): Promise<Volume> {
    return (await this.custom.getNamespacedCustomObject({
      ...longhorn,
      namespace: this.longhornNs,
      plural: 'volumes',
      name,
    })) as Volume;
  }

  /** Waits until the job exists and `check` holds for it. */
  async waitForJob(
    name: string,
    check: (job: RecurringJob) => boolean = () => true,
    what = `job ${name}`,
  ): Promise<RecurringJob> {
    return waitFor(what, async () => {
      const job = await this.job(name);
      return job !== undefined && check(job) ? job : undefined;
    });
  }

  async waitForNoJob(name: string): Promise<void> {
    await waitFor(`job ${name} gone`, async () => ((await this.job(name)) === undefined ? true : undefined));
  }

  async waitForVolumeLabels(
    name: string,
    check: (labels: Record<string, string>) => boolean,
    what: string,
  ): Promise<Record<string, string>> {
    return waitFor(what, async () => {
      const labels = (await this.volume(name)).metadata.labels ?? {};
      return check(labels) ? labels : undefined;
    });
  }

  async events(namespace: string, objectName: string): Promise<CoreV1Event[]> {
    const list = await this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${objectName}` });
    return list.items;
  }

  async waitForEvent(namespace: string, objectName: string, reason: string, message?: RegExp): Promise<CoreV1Event> {
    return waitFor(`Event ${reason} on ${namespace}/${objectName}`, async () =>
      (await this.events(namespace, objectName)).find(
        (event) => event.reason === reason && (message === undefined || message.test(event.message ?? '')),
      ),
    );
  }
}

/** The steady state: once idle, a full resync writes nothing (no call counted, no job's resourceVersion moved). */
export async function assertResyncWritesNothing(world: ReconcilerWorld, handle: ReconcilerHandle): Promise<void> {
  const versions = async () =>
    new Map((await world.jobs()).map((job) => [job.metadata.name, job.metadata.resourceVersion]));
  await sleep(500);
  await handle.whenIdle();
  const jobsBefore = await versions();
  const before = handle.writes.snapshot();
  handle.resync();
  await handle.whenIdle();
  await sleep(300);
  await handle.whenIdle();
  assert.deepEqual(handle.writes.snapshot(), before);
  assert.deepEqual(await versions(), jobsBefore);
}

export async function scrape(handle: ReconcilerHandle): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${handle.metricsPort}/metrics`);
  return response.text();
}

/** The value of one series in Prometheus text, or undefined when it is absent. */
export function seriesValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const pairs = new Map([...body.matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => pairs.get(key) === value))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

export async function waitForSeries(
  handle: ReconcilerHandle,
  name: string,
  labels: Record<string, string>,
  present: boolean,
): Promise<void> {
  await waitFor(`${name}${JSON.stringify(labels)} ${present ? 'present' : 'absent'}`, async () => {
    const value = seriesValue(await scrape(handle), name, labels);
    return (value !== undefined) === present ? true : undefined;
  });
}
