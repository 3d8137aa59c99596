// Playing the reconciler's part for the webhook's DELETE decision: opted-in PVCs, their managed
// RecurringJobs in a Longhorn namespace, and the archive record written with the reconciler's own
// merge patches; kubectl deletes (real and server dry runs, which run admission) to read verdicts.
import assert from 'node:assert/strict';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { mergePatch } from '../harness/patch-content-types.ts';
import {
  LONGHORN_API_VERSION,
  LONGHORN_GROUP,
  LONGHORN_PLURALS,
  LONGHORN_VERSION,
} from '@longhorn-backup-guard/shared/longhorn/api';
import { jobNameFor } from '@longhorn-backup-guard/shared/intent/job-name';
import { ownershipLabels } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { TestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { archivePatches } from '../unit/webhook/review-fixtures.ts';
import { P, pvcYaml } from './webhook-support.ts';
import { defaultBackupJobSpec } from '../fixtures/default-job-spec.ts';

export const archiveLabels = (name: string): Record<string, string> => ({
  [`${P}/enabled`]: 'true',
  [`${P}/name`]: name,
  [`${P}/archive`]: 'true',
  [`${P}/archive-delete-after`]: '2030-12-31',
});

export class ArchiveScene {
  readonly #cluster: TestCluster;
  readonly #core: CoreV1Api;
  readonly #custom: CustomObjectsApi;
  /** The PVCs' namespace (seen by the webhook under test). */
  readonly namespace: string;
  readonly #storageClass: string;
  /** The Longhorn namespace jobs go to unless told otherwise. */
  readonly longhornNamespace: string;

  constructor(
    cluster: TestCluster,
    kc: KubeConfig,
    options: { namespace: string; storageClass: string; longhornNamespace: string },
  ) {
    this.#cluster = cluster;
    this.#core = kc.makeApiClient(CoreV1Api);
    this.#custom = kc.makeApiClient(CustomObjectsApi);
    this.namespace = options.namespace;
    this.#storageClass = options.storageClass;
    this.longhornNamespace = options.longhornNamespace;
  }

  jobName(pvcName: string): string {
    return jobNameFor(this.namespace, pvcName);
  }

  /** An opted-in PVC (by default with an archive asked for); returns its uid. */
  async createPvc(name: string, labels: Record<string, string> = archiveLabels(name)): Promise<string> {
    const applied = await this.#cluster.kubectl(['apply', '-f', '-'], {
      input: pvcYaml(this.namespace, name, labels, this.#storageClass),
    });
    assert.equal(applied.code, 0, applied.stderr);
    return (
      (await this.#core.readNamespacedPersistentVolumeClaim({ namespace: this.namespace, name })).metadata?.uid ?? ''
    );
  }

  /** The PVC's managed job, as the reconciler creates it (archive labels copied from the PVC). */
  async createJob(pvcName: string, config: GuardConfig, longhornNamespace = this.longhornNamespace): Promise<void> {
    const name = this.jobName(pvcName);
    const labels = {
      ...ownershipLabels(this.namespace, pvcName, config),
      [`${P}/archive`]: 'true',
      [`${P}/archive-delete-after`]: '2030-12-31',
    };
    await this.#custom.createNamespacedCustomObject({
      ...jobApi(longhornNamespace),
      body: {
        apiVersion: LONGHORN_API_VERSION,
        kind: 'RecurringJob',
        metadata: { name, labels },
        spec: defaultBackupJobSpec(name),
      },
    });
  }

  async annotateJob(
    pvcName: string,
    annotations: Record<string, string | null>,
    longhornNamespace = this.longhornNamespace,
  ): Promise<void> {
    await this.#custom.patchNamespacedCustomObject(
      { ...jobApi(longhornNamespace), name: this.jobName(pvcName), body: { metadata: { annotations } } },
      mergePatch,
    );
  }

  /**
   * The reconciler's merge patches of the job for the archive of `pvcUid`: started, and completed
   * unless `completed` is false.
   */
  async recordArchive(
    pvcName: string,
    pvcUid: string,
    { completed = true, longhornNamespace = this.longhornNamespace } = {},
  ): Promise<void> {
    for (const patch of archivePatches(pvcName, pvcUid, this.jobName(pvcName), completed))
      await this.annotateJob(pvcName, patch.metadata.annotations, longhornNamespace);
  }

  deletePvc(name: string, dryRun = false): ReturnType<TestCluster['kubectl']> {
    return this.#cluster.kubectl([
      'delete',
      'pvc',
      name,
      '-n',
      this.namespace,
      '--wait=false',
      ...(dryRun ? ['--dry-run=server'] : []),
    ]);
  }

  /**
   * The webhook reads a cache, so a job change shows after a moment: a server-side dry run
   * (admission included) tells when.
   */
  async waitForDeleteVerdict(name: string, verdict: 'silent' | 'denied'): Promise<void> {
    await waitFor(
      `a dry-run delete of ${name} to be ${verdict}`,
      async () => {
        const result = await this.deletePvc(name, true);
        const silent = result.code === 0 && result.stderr === '';
        const denied = result.code !== 0 && result.stderr.includes('denied the request');
        return (verdict === 'silent' ? silent : denied) ? true : undefined;
      },
      20_000,
      100,
    );
  }

  /** kubectl delete passes and prints nothing, and the PVC is on its way out. */
  async deletesSilently(name: string): Promise<void> {
    const result = await this.deletePvc(name);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    await waitFor(`${name} marked for deletion`, async () => {
      const pvc = await this.#core
        .readNamespacedPersistentVolumeClaim({ namespace: this.namespace, name })
        .catch(() => undefined);
      return pvc === undefined || pvc.metadata?.deletionTimestamp !== undefined ? true : undefined;
    });
  }
}

function jobApi(namespace: string) {
  return { group: LONGHORN_GROUP, version: LONGHORN_VERSION, namespace, plural: LONGHORN_PLURALS.recurringJob };
}
