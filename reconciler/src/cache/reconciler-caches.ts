// The informer caches the reconciler reads, their indexes, and which keys a change concerns:
//   PVC            -> its key, and the namespace's PVCs that claim its old or new backup name
//   RecurringJob   -> the key of its source labels, and the PVCs whose desired job has its name
//   Volume         -> the PVCs naming a PV whose csi.volumeHandle is the Volume, and status.kubernetesStatus's PVC
//   PersistentVolume -> the PVCs naming it in spec.volumeName, and the claim its claimRef names
//   StorageClass   -> every PVC that names it or names none (the default class may have changed)
//   archive watch  -> the keys the archive workflow says the object belongs to
//   Backup (lean)  -> the source PVC of the job that made it (backup health)
// What the caches watch (namespaces, Longhorn namespace, label prefix) is their scope: a config
// change of the scope is applied by building new caches (see reconciler-state.ts).

import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { CacheScope } from '@longhorn-backup-guard/shared/config/cache-scope';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { nameClaimOf } from '@longhorn-backup-guard/shared/intent/duplicate-names';
import { Informer, type InformerHandler } from '@longhorn-backup-guard/shared/kube/informer/informer';
import type { InformerMetrics } from '@longhorn-backup-guard/shared/kube/informer/informer-metrics';
import { objectKey } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { LONGHORN_GROUP, LONGHORN_PLURALS, LONGHORN_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import type { RecurringJob, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import { managedJobSource, sourcePvcLabelValue } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import type { ArchiveWatch } from '../model/archive-contract.ts';
import type { LonghornPlural, ObjectTarget } from '../model/actions.ts';
import { intentOf } from '../model/intent-of.ts';
import type { PvcWithBinding, ReconcileSnapshot } from '../model/reconcile-snapshot.ts';
import type { PolicySnapshot } from '../model/policy-snapshot.ts';
import { policyGroupKeys } from '../decide/job-labels.ts';
import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { POLICY_GROUP_PREFIX } from '@longhorn-backup-guard/shared/policy/backup-policy';
import { policyOfJob } from '@longhorn-backup-guard/shared/recurring-job/policy-job';
import {
  boundVolume,
  resolveVolumeBinding,
  type BindingLookups,
  type VolumeBinding,
} from '@longhorn-backup-guard/shared/storage/volume-binding';
import { BackupCache } from '../health/backup-cache.ts';
import { leanPv, leanPvc, leanVolume } from './lean-objects.ts';
import { NameClaims } from './name-claims.ts';
import { LABEL_VALUE_MAX_LENGTH } from '@longhorn-backup-guard/shared/names/kubernetes-names';
import type { BackupRecord } from '../health/backup-record.ts';
import { keyString, type PvcKey } from '../keys/pvc-key.ts';
import { MultiIndex } from '@longhorn-backup-guard/shared/collections/multi-index';
import { sameFlatRecord } from '@longhorn-backup-guard/shared/util/same-flat-record';
import type { KubeSource } from '@longhorn-backup-guard/shared/kube/kube-source';

export interface ClusterCachesOptions {
  readonly kubeConfig: KubeSource;
  /** The configuration in force; its scope must be the caches' scope. */
  readonly config: () => GuardConfig;
  readonly archiveWatches: readonly ArchiveWatch[];
  readonly log: Logger;
  readonly informerMetrics?: InformerMetrics;
  /** Informer relist period (a safety net under the watches). */
  readonly relistPeriodMs: number;
  /** Called with the keys a change concerns. */
  readonly onKeys: (keys: readonly PvcKey[]) => void;
  /** Called when a change concerns the policies' shared jobs or group labels (POLICY_JOBS_KEY). */
  readonly onPolicies?: () => void;
}

type ArchiveObject = { metadata?: { name?: string; namespace?: string } };

interface Indexing<T> {
  add?: (object: T) => void;
  remove?: (object: T) => void;
  /** The keys an object concerns. */
  keysOf: (object: T) => readonly PvcKey[];
  /** Whether an update concerns any key at all (default: yes). */
  matters?: (old: T, object: T) => boolean;
  /** Whether the object concerns the policies' jobs (then onPolicies is called too). */
  policies?: (object: T) => boolean;
}

/**
 * A PVC with its binding resolved when first read. A class, not an object literal with a getter:
 * V8 builds such a literal through a slow runtime path, on every PVC of every snapshot.
 */
class LazyBinding implements PvcWithBinding {
  readonly pvc: V1PersistentVolumeClaim;
  readonly #bindingOf: (claim: V1PersistentVolumeClaim) => VolumeBinding;
  #binding: VolumeBinding | undefined;

  constructor(pvc: V1PersistentVolumeClaim, bindingOf: (claim: V1PersistentVolumeClaim) => VolumeBinding) {
    this.pvc = pvc;
    this.#bindingOf = bindingOf;
  }

  get binding(): VolumeBinding {
    this.#binding ??= this.#bindingOf(this.pvc);
    return this.#binding;
  }
}

function pvcKeyOf(pvc: V1PersistentVolumeClaim): PvcKey {
  return { namespace: pvc.metadata?.namespace ?? '', pvcName: pvc.metadata?.name ?? '' };
}

export class ClusterCaches {
  readonly scope: CacheScope;
  readonly #options: ClusterCachesOptions;
  readonly #pvcInformers: Informer<V1PersistentVolumeClaim>[];
  readonly #storageClasses: Informer<V1StorageClass>;
  readonly #jobs: Informer<RecurringJob>;
  readonly #volumes: Informer<Volume>;
  readonly #pvs: Informer<V1PersistentVolume>;
  readonly #archive: { readonly watch: ArchiveWatch; readonly informer: Informer<ArchiveObject> }[];
  readonly #backups: BackupCache;

  readonly #pvcsByNamespace = new MultiIndex<V1PersistentVolumeClaim>();
  /** The PVCs by namespace and claimed backup name (duplicate names, job-name conflicts). */
  readonly #nameClaims = new NameClaims(() => this.#everyPvc());
  /** Volume (PV) name -> the PVCs bound to it. */
  readonly #pvcsByVolume = new MultiIndex<PvcKey>();
  /** `namespace/source-pvc label` -> managed jobs. */
  readonly #managedJobs = new MultiIndex<RecurringJob>();
  /** Longhorn volume name (a PV's csi.volumeHandle) -> the PVs naming it. */
  readonly #pvsByVolumeHandle = new MultiIndex<string>();
  readonly #archiveObjects = new Map<LonghornPlural, MultiIndex<unknown>>();

  constructor(scope: CacheScope, options: ClusterCachesOptions) {
    this.scope = scope;
    this.#options = options;
    const common = {
      kubeConfig: options.kubeConfig,
      log: options.log,
      metrics: options.informerMetrics,
      resyncPeriodMs: options.relistPeriodMs,
    };
    const namespaces = scope.watchNamespaces.length === 0 ? [undefined] : scope.watchNamespaces;
    this.#pvcInformers = namespaces.map(
      (namespace) =>
        new Informer<V1PersistentVolumeClaim>({
          ...common,
          resource: namespace === undefined ? 'persistentvolumeclaims' : `persistentvolumeclaims/${namespace}`,
          path: resourcePath({ version: 'v1', plural: 'persistentvolumeclaims', namespace }),
          transform: (object) => leanPvc(object as V1PersistentVolumeClaim),
          handler: this.#pvcHandler(),
        }),
    );
    this.#storageClasses = new Informer<V1StorageClass>({
      ...common,
      resource: 'storageclasses',
      path: resourcePath({ group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' }),
      handler: this.#handler({ keysOf: (sc) => this.#keysOfStorageClass(sc) }),
    });
    const longhorn = (plural: LonghornPlural) =>
      resourcePath({ group: LONGHORN_GROUP, version: LONGHORN_VERSION, plural, namespace: scope.longhornNamespace });
    this.#jobs = new Informer<RecurringJob>({
      ...common,
      resource: 'recurringjobs',
      path: longhorn(LONGHORN_PLURALS.recurringJob),
      handler: this.#jobHandler(),
    });
    this.#volumes = new Informer<Volume>({
      ...common,
      resource: 'volumes',
      path: longhorn(LONGHORN_PLURALS.volume),
      transform: (object) => leanVolume(object as Volume, scope.labelPrefix),
      handler: this.#volumeHandler(),
    });
    // PVs prove which Volume a PVC is bound to (volume-binding.ts); cluster-scoped, read-only.
    this.#pvs = new Informer<V1PersistentVolume>({
      ...common,
      resource: 'persistentvolumes',
      path: resourcePath({ version: 'v1', plural: 'persistentvolumes' }),
      transform: (object) => leanPv(object as V1PersistentVolume),
      handler: this.#pvHandler(),
    });
    this.#backups = new BackupCache({
      kubeConfig: options.kubeConfig,
      longhornNamespace: scope.longhornNamespace,
      labelPrefix: scope.labelPrefix,
      log: options.log,
      informerMetrics: options.informerMetrics,
      relistPeriodMs: options.relistPeriodMs,
      onJobs: (jobs) =>
        this.#options.onKeys(
          jobs.flatMap((name) => {
            const job = this.#jobs.get(`${scope.longhornNamespace}/${name}`);
            const key = job === undefined ? undefined : this.#sourceKeyOfJob(job);
            return key === undefined ? [] : [key];
          }),
        ),
      onPolicyVolumes: (volumes) => this.#options.onKeys(volumes.flatMap((name) => this.#keysOfVolumeName(name))),
    });
    this.#archive = options.archiveWatches.map((watch) => {
      const index = new MultiIndex<unknown>();
      this.#archiveObjects.set(watch.plural, index);
      const informer = new Informer<ArchiveObject>({
        ...common,
        resource: watch.plural,
        path: longhorn(watch.plural),
        // Longhorn syncs every backup of the target into a Backup CR: only the workflow's own objects are cached.
        labelSelector: watch.labelSelector?.(scope.labelPrefix),
        handler: this.#archiveHandler(watch, index),
      });
      return { watch, informer };
    });
  }

  #informers(): Informer<never>[] {
    return [
      ...this.#pvcInformers,
      this.#storageClasses,
      this.#jobs,
      this.#volumes,
      this.#pvs,
      ...this.#archive.map((a) => a.informer),
      this.#backups.informer,
    ] as unknown as Informer<never>[];
  }

  start(): void {
    for (const informer of this.#informers()) informer.start();
  }

  /** True once every informer has listed. */
  hasSynced(): boolean {
    return this.#informers().every((informer) => informer.hasSynced());
  }

  async whenSynced(): Promise<boolean> {
    const synced = await Promise.all(this.#informers().map((informer) => informer.whenSynced()));
    return synced.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#informers().map((informer) => informer.stop()));
  }

  /**
   * Every key there is something to reconcile for: each PVC, each managed job's source, and each
   * key of an archive-watch object (a deleted PVC's full name, when the job's label had to cut it).
   */
  allKeys(): PvcKey[] {
    const keys = new Map<string, PvcKey>();
    const add = (key: PvcKey) => keys.set(keyString(key), key);
    for (const namespace of this.#pvcsByNamespace.groups())
      for (const pvc of this.#pvcsByNamespace.get(namespace)) add(pvcKeyOf(pvc));
    for (const job of this.#jobs.list()) this.#keysOfJob(job).forEach(add);
    const config = this.#options.config();
    for (const { watch, informer } of this.#archive)
      for (const object of informer.list()) watch.keysOf(object, config).forEach(add);
    return [...keys.values()];
  }

  /** The Backups (lean) a job made, and its archive Backups (backup health). */
  readonly backupsOfJob = (jobName: string): readonly BackupRecord[] => this.#backups.backupsOfJob(jobName);

  /** Every job name Backups name, with those Backups, and the job if it exists (the audit). */
  *backupJobs(): IterableIterator<{
    readonly jobName: string;
    readonly backups: readonly BackupRecord[];
    readonly job: RecurringJob | undefined;
  }> {
    for (const [jobName, backups] of this.#backups.jobs())
      yield { jobName, backups, job: this.#jobs.get(`${this.scope.longhornNamespace}/${jobName}`) };
  }

  /**
   * The cached copy's resourceVersion of a job, Volume or PVC the reconciler writes (`version`
   * undefined: not in the cache); undefined for a resource it does not cache whole.
   */
  cachedVersionOf(target: ObjectTarget): { readonly version: string | undefined } | undefined {
    const { resource, namespace, name } = target;
    const object =
      resource === 'recurringjobs'
        ? this.#jobs.get(`${namespace}/${name}`)
        : resource === 'volumes'
          ? this.#volumes.get(`${namespace}/${name}`)
          : resource === 'persistentvolumeclaims'
            ? this.#pvcsByNamespace.getOne(namespace, name)
            : null;
    return object === null ? undefined : { version: object?.metadata?.resourceVersion };
  }

  *#everyPvc(): Iterable<V1PersistentVolumeClaim> {
    for (const namespace of this.#pvcsByNamespace.groups()) yield* this.#pvcsByNamespace.get(namespace);
  }

  /** What decide() reads for `key`, from the caches as they are now. */
  snapshot(key: PvcKey, config: GuardConfig, now: Date): ReconcileSnapshot {
    const pvc = this.#pvcsByNamespace.getOne(key.namespace, key.pvcName);
    const volumeNamed = (name: string) => this.#volumes.get(`${this.scope.longhornNamespace}/${name}`);
    const lookups: BindingLookups = { pvNamed: (name) => this.#pvs.get(name), volumeNamed };
    const bindingOf = (claim: V1PersistentVolumeClaim): VolumeBinding =>
      resolveVolumeBinding(claim, lookups, config.provisioner);
    const binding: VolumeBinding = pvc === undefined ? { kind: 'unbound' } : bindingOf(pvc);
    const watched = new Map<LonghornPlural, readonly unknown[]>();
    for (const [plural, index] of this.#archiveObjects) watched.set(plural, index.get(keyString(key)));
    return {
      key,
      pvc,
      binding,
      volume: boundVolume(binding),
      volumeNamed,
      // Bindings are resolved only where a decision reads them (a PVC whose StorageClass is Longhorn's
      // needs none for the duplicate-name check); the namespace's list only when a decision reads it.
      claimants: (name) =>
        this.#nameClaims.claimants(key.namespace, name, config).map((p) => new LazyBinding(p, bindingOf)),
      namespacePvcs: () => this.#pvcsByNamespace.get(key.namespace).map((p) => new LazyBinding(p, bindingOf)),
      storageClasses: this.#storageClasses.list(),
      managedJobs: this.#managedJobs.get(`${key.namespace}/${sourcePvcLabelValue(key.pvcName)}`),
      jobNamed: (name) => this.#jobs.get(`${this.scope.longhornNamespace}/${name}`),
      watched,
      config,
      now,
    };
  }

  /** By policy name, the PVCs (`namespace/name`) in scope that ask for it and are not opted out. */
  policyUsers(config: GuardConfig): Map<string, string[]> {
    const keys = backupLabelKeys(config.labelPrefix);
    const users = new Map<string, string[]>();
    for (const namespace of this.#pvcsByNamespace.groups()) {
      if (!isNamespaceInScope(config, namespace)) continue;
      for (const pvc of this.#pvcsByNamespace.get(namespace)) {
        const labels = pvc.metadata?.labels ?? {};
        const policy = labels[keys.policy];
        if (policy === undefined || labels[keys.enabled] === 'false') continue;
        users.set(policy, [...(users.get(policy) ?? []), keyString(pvcKeyOf(pvc))]);
      }
    }
    return users;
  }

  /** What decidePolicyJobs reads, from the caches as they are now. */
  policySnapshot(config: GuardConfig, now: Date): PolicySnapshot {
    const users = this.policyUsers(config);
    const volumeNamed = (name: string) => this.#volumes.get(`${this.scope.longhornNamespace}/${name}`);
    const lookups: BindingLookups = { pvNamed: (name) => this.#pvs.get(name), volumeNamed };
    const isBound = (volume: Volume): boolean =>
      this.#pvsByVolumeHandle
        .get(volume.metadata.name ?? '')
        .flatMap((pvName) => this.#pvcsByVolume.get(pvName))
        .some((key) => {
          const pvc = this.#pvcsByNamespace.getOne(key.namespace, key.pvcName);
          if (pvc === undefined) return false;
          const bound = boundVolume(resolveVolumeBinding(pvc, lookups, config.provisioner));
          return bound?.metadata.name === volume.metadata.name;
        });
    return {
      config,
      now,
      policyJobs: this.#jobs.list().filter((job) => policyOfJob(job, config) !== null),
      jobNamed: (name) => this.#jobs.get(`${this.scope.longhornNamespace}/${name}`),
      users,
      groupVolumes: this.#volumes
        .list()
        .filter((volume) => policyGroupKeys(volume.metadata.labels).length > 0)
        .map((volume) => ({ volume, bound: isBound(volume) })),
    };
  }

  /** An informer handler that keeps an index and enqueues the keys of the old and the new object. */
  #handler<T>(indexing: Indexing<T>): InformerHandler<T> {
    const { add = () => {}, remove = () => {}, keysOf, matters, policies = () => false } = indexing;
    const policiesOf = (...objects: T[]) => {
      if (objects.some(policies)) this.#options.onPolicies?.();
    };
    return {
      onAdd: (object) => {
        add(object);
        this.#options.onKeys(keysOf(object));
        policiesOf(object);
      },
      onUpdate: (old, object) => {
        remove(old);
        add(object);
        if (matters?.(old, object) === false) return;
        this.#options.onKeys([...keysOf(old), ...keysOf(object)]);
        policiesOf(old, object);
      },
      onDelete: (object) => {
        remove(object);
        this.#options.onKeys(keysOf(object));
        policiesOf(object);
      },
    };
  }

  #claimedName(pvc: V1PersistentVolumeClaim): string | undefined {
    return nameClaimOf(intentOf(pvc, this.#options.config()))?.name;
  }

  /** The PVC and the others of its namespace that claim the same backup name (duplicates). */
  #keysOfPvc(pvc: V1PersistentVolumeClaim): PvcKey[] {
    const name = this.#claimedName(pvc);
    const namespace = pvc.metadata?.namespace ?? '';
    const mates = name === undefined ? [] : this.#nameClaims.claimants(namespace, name, this.#options.config());
    return [pvcKeyOf(pvc), ...mates.map(pvcKeyOf)];
  }

  #pvcHandler(): InformerHandler<V1PersistentVolumeClaim> {
    return this.#handler<V1PersistentVolumeClaim>({
      add: (pvc) => {
        const key = pvcKeyOf(pvc);
        this.#pvcsByNamespace.set(key.namespace, key.pvcName, pvc);
        this.#nameClaims.put(pvc);
        if (pvc.spec?.volumeName) this.#pvcsByVolume.set(pvc.spec.volumeName, keyString(key), key);
      },
      remove: (pvc) => {
        const key = pvcKeyOf(pvc);
        this.#pvcsByNamespace.delete(key.namespace, key.pvcName);
        this.#nameClaims.remove(pvc);
        if (pvc.spec?.volumeName) this.#pvcsByVolume.delete(pvc.spec.volumeName, keyString(key));
      },
      keysOf: (pvc) => this.#keysOfPvc(pvc),
      policies: (pvc) => pvc.metadata?.labels?.[backupLabelKeys(this.scope.labelPrefix).policy] !== undefined,
    });
  }

  /** The key a managed job's source labels name (a shortened PVC label resolved to its PVC when it exists). */
  #sourceKeyOfJob(job: RecurringJob): PvcKey | undefined {
    const source = managedJobSource(job, this.#options.config());
    if (source === null) return undefined;
    // A label shorter than a cut one is the PVC's whole name: a lookup, not a walk of the namespace.
    const pvc =
      source.pvcLabel.length < LABEL_VALUE_MAX_LENGTH
        ? this.#pvcsByNamespace.getOne(source.namespace, source.pvcLabel)
        : this.#pvcsByNamespace
            .get(source.namespace)
            .find((p) => sourcePvcLabelValue(p.metadata?.name ?? '') === source.pvcLabel);
    return { namespace: source.namespace, pvcName: pvc?.metadata?.name ?? source.pvcLabel };
  }

  /** Its source PVC, and every PVC whose desired job has this name (a job-name conflict may have appeared or gone). */
  #keysOfJob(job: RecurringJob): PvcKey[] {
    const jobName = job.metadata.name ?? '';
    const keys: PvcKey[] = [];
    const source = this.#sourceKeyOfJob(job);
    if (source !== undefined) keys.push(source);
    for (const pvc of this.#nameClaims.claimantsOfJob(jobName, this.#options.config())) keys.push(pvcKeyOf(pvc));
    return keys;
  }

  #jobHandler(): InformerHandler<RecurringJob> {
    const group = (job: RecurringJob) => {
      const source = managedJobSource(job, this.#options.config());
      return source === null ? undefined : `${source.namespace}/${source.pvcLabel}`;
    };
    return this.#handler<RecurringJob>({
      add: (job) => {
        const managed = group(job);
        if (managed !== undefined) this.#managedJobs.set(managed, job.metadata.name ?? '', job);
      },
      remove: (job) => {
        const managed = group(job);
        if (managed !== undefined) this.#managedJobs.delete(managed, job.metadata.name ?? '');
      },
      keysOf: (job) => this.#keysOfJob(job),
      policies: (job) => (job.metadata.name ?? '').startsWith(POLICY_GROUP_PREFIX),
    });
  }

  /**
   * The PVCs bound (or claiming to be) through the PVs whose volumeHandle is this Volume, and the PVC Longhorn
   * records.
   */
  #keysOfVolume(volume: Volume): PvcKey[] {
    const keys = this.#pvcKeysThroughPvs(volume.metadata.name ?? '');
    const status = volume.status?.kubernetesStatus;
    if (status?.namespace && status.pvcName) keys.push({ namespace: status.namespace, pvcName: status.pvcName });
    return keys;
  }

  /** The PVCs bound (or claiming to be) through the PVs whose volumeHandle is this volume name. */
  #pvcKeysThroughPvs(volumeName: string): PvcKey[] {
    return this.#pvsByVolumeHandle.get(volumeName).flatMap((pvName) => this.#pvcsByVolume.get(pvName));
  }

  /** The keys of a Longhorn volume by name (a policy job's Backup names only its volume). */
  #keysOfVolumeName(volumeName: string): PvcKey[] {
    const volume = this.#volumes.get(`${this.scope.longhornNamespace}/${volumeName}`);
    return volume === undefined ? this.#pvcKeysThroughPvs(volumeName) : this.#keysOfVolume(volume);
  }

  #volumeHandler(): InformerHandler<Volume> {
    return this.#handler<Volume>({
      keysOf: (volume) => this.#keysOfVolume(volume),
      policies: (volume) => policyGroupKeys(volume.metadata.labels).length > 0,
      // Longhorn updates a volume's status all the time: only its labels, its PVC and whether it is
      // attached (backup health) matter here.
      matters: (old, volume) =>
        !sameFlatRecord(old.metadata.labels, volume.metadata.labels) ||
        old.status?.state !== volume.status?.state ||
        !sameFlatRecord(old.status?.kubernetesStatus, volume.status?.kubernetesStatus),
    });
  }

  /** The PVCs naming the PV in spec.volumeName, and the claim its claimRef names. */
  #keysOfPv(pv: V1PersistentVolume): PvcKey[] {
    const keys = this.#pvcsByVolume.get(pv.metadata?.name ?? '');
    const claim = pv.spec?.claimRef;
    if (claim?.namespace && claim.name) keys.push({ namespace: claim.namespace, pvcName: claim.name });
    return keys;
  }

  #pvHandler(): InformerHandler<V1PersistentVolume> {
    const handleOf = (pv: V1PersistentVolume) => pv.spec?.csi?.volumeHandle;
    return this.#handler<V1PersistentVolume>({
      add: (pv) => {
        const handle = handleOf(pv);
        if (handle) this.#pvsByVolumeHandle.set(handle, pv.metadata?.name ?? '', pv.metadata?.name ?? '');
      },
      remove: (pv) => {
        const handle = handleOf(pv);
        if (handle) this.#pvsByVolumeHandle.delete(handle, pv.metadata?.name ?? '');
      },
      keysOf: (pv) => this.#keysOfPv(pv),
    });
  }

  #keysOfStorageClass(storageClass: V1StorageClass): PvcKey[] {
    const name = storageClass.metadata?.name;
    const keys: PvcKey[] = [];
    for (const namespace of this.#pvcsByNamespace.groups()) {
      for (const pvc of this.#pvcsByNamespace.get(namespace)) {
        const wanted = pvc.spec?.storageClassName as string | null | undefined;
        if (wanted === undefined || wanted === null || wanted === name) keys.push(pvcKeyOf(pvc));
      }
    }
    return keys;
  }

  #archiveHandler(watch: ArchiveWatch, index: MultiIndex<unknown>): InformerHandler<ArchiveObject> {
    const keysOf = (object: ArchiveObject) => watch.keysOf(object, this.#options.config());
    return this.#handler<ArchiveObject>({
      add: (object) => {
        for (const key of keysOf(object)) index.set(keyString(key), objectKey(object), object);
      },
      remove: (object) => {
        for (const key of keysOf(object)) index.delete(keyString(key), objectKey(object));
      },
      keysOf,
    });
  }
}
