// What `status` reads, with get and list only. Anything but the PVCs may be out of the user's
// reach (a namespace-scoped user reads no StorageClasses, RecurringJobs or Volumes): then it is
// left out with a note saying what that hides, and the rest is still shown.

import { CoreV1Api, type KubeConfig, type V1PersistentVolume } from '@kubernetes/client-node';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { apiStatusCode, describeApiError } from '@longhorn-backup-guard/shared/kube/api-errors';
import { listCollection } from '@longhorn-backup-guard/shared/kube/informer/list-collection';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { kubeConfigPageReader } from './kube-config-page-reader.ts';
import { LONGHORN_GROUP, LONGHORN_PLURALS, LONGHORN_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import type { RecurringJob, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import type { StorageClassLike } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { CONFIG_KEY, configFromText } from '../config/read-config-file.ts';
import type { ClusterSnapshot, StatusPvc } from './status-rows.ts';

export interface ReadScope {
  /** null: all namespaces. */
  readonly namespace: string | null;
  /** `namespace/name` of the product's ConfigMap. */
  readonly configMap: { readonly namespace: string; readonly name: string };
  /** From --config: then the ConfigMap is not read. */
  readonly config: GuardConfig | null;
}

function why(error: unknown): string {
  const code = apiStatusCode(error);
  if (code === 403) return 'not allowed for this user';
  if (code === 404) return 'not found';
  return describeApiError(error);
}

async function optional<T>(
  read: () => Promise<T>,
  notes: string[],
  missing: (reason: string) => string,
): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    notes.push(missing(why(error)));
    return null;
  }
}

export async function readCluster(
  kubeConfig: KubeConfig,
  scope: ReadScope,
  now: Date,
): Promise<{ snapshot: ClusterSnapshot; notes: string[] }> {
  const notes: string[] = [];
  const read = kubeConfigPageReader(kubeConfig);
  const { namespace: cmNamespace, name: cmName } = scope.configMap;
  const config =
    scope.config ??
    (await optional(
      async () => {
        const configMap = await kubeConfig
          .makeApiClient(CoreV1Api)
          .readNamespacedConfigMap({ namespace: cmNamespace, name: cmName });
        const parsed = configFromText(configMap.data?.[CONFIG_KEY] ?? '');
        if (!parsed.ok) throw new Error(`it is invalid (${parsed.errors.join('; ')})`);
        return parsed.config;
      },
      notes,
      (reason) =>
        `the configuration (ConfigMap ${cmNamespace}/${cmName}) could not be read (${reason}): the defaults are assumed; give --config to use a file`,
    )) ??
    defaultConfig;

  const pvcs = (
    await listCollection<StatusPvc>(
      read,
      resourcePath({ version: 'v1', plural: 'persistentvolumeclaims', namespace: scope.namespace ?? undefined }),
    )
  ).items;
  const storageClasses = await optional(
    async () =>
      (
        await listCollection<StorageClassLike & KubeObject>(
          read,
          resourcePath({ group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' }),
        )
      ).items,
    notes,
    (reason) =>
      `StorageClasses could not be read (${reason}): PVCs are shown when bound to a Longhorn Volume or when they carry backup labels`,
  );
  const longhorn = (plural: string) =>
    resourcePath({ group: LONGHORN_GROUP, version: LONGHORN_VERSION, plural, namespace: config.longhornNamespace });
  const jobs = await optional(
    async () =>
      (
        await listCollection<RecurringJob>(read, longhorn(LONGHORN_PLURALS.recurringJob), {
          labelSelector: `${backupLabelKeys(config.labelPrefix).managed}=true`,
        })
      ).items,
    notes,
    (reason) =>
      `RecurringJobs in ${config.longhornNamespace} could not be read (${reason}): PROTECTED shows the job the labels ask for, HEALTH is unknown`,
  );
  const volumes = await optional(
    async () => (await listCollection<Volume>(read, longhorn(LONGHORN_PLURALS.volume))).items,
    notes,
    (reason) =>
      `Longhorn Volumes in ${config.longhornNamespace} could not be read (${reason}): LAST BACKUP comes only from the health summary`,
  );
  const pvs = await optional(
    async () =>
      (
        await listCollection<V1PersistentVolume & KubeObject>(
          read,
          resourcePath({ version: 'v1', plural: 'persistentvolumes' }),
        )
      ).items,
    notes,
    (reason) =>
      `PersistentVolumes could not be read (${reason}): which Volume a PVC is bound to cannot be told, so LAST BACKUP comes only from the health summary`,
  );
  return { snapshot: { config, pvcs, storageClasses, jobs, volumes, pvs, now }, notes };
}
