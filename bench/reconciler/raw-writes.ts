// The floor to compare the reconciler with: the same RecurringJobs created and the same Volume
// labels patched by a plain loop at the same client concurrency, with nothing else (no caches, no
// decisions, no Events, no rate limit). The job bodies are the reconciler's own desired jobs.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';
import { mergePatch } from '../../tests/harness/patch-content-types.ts';
import { LONGHORN_LABEL_ENABLED, recurringJobLabelKey } from '@longhorn-backup-guard/shared/longhorn/api';
import { desiredRecurringJob } from '@longhorn-backup-guard/shared/recurring-job/desired-recurring-job';
import { forEachBounded } from '../lib/bounded.ts';
import { fleetLabels, longhorn, type FleetPvc } from './fleet.ts';

export function desiredJobOf(pvc: FleetPvc, retain: number): ReturnType<typeof desiredRecurringJob> {
  const intent = parseIntent(
    { namespace: pvc.namespace, name: pvc.name, labels: fleetLabels(pvc, retain) },
    defaultConfig,
  );
  if (intent.kind !== 'opted-in') throw new Error(`the fleet's labels of ${pvc.namespace}/${pvc.name} do not opt in`);
  return desiredRecurringJob(intent.intent, defaultConfig);
}

export async function rawJobsAndLabels(
  kc: KubeConfig,
  fleet: readonly FleetPvc[],
  concurrency: number,
  retain: number,
): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  await forEachBounded(fleet, concurrency, async (pvc) => {
    await custom.createNamespacedCustomObject({
      ...longhorn,
      plural: 'recurringjobs',
      body: desiredJobOf(pvc, retain),
    });
    await custom.patchNamespacedCustomObject(
      {
        ...longhorn,
        plural: 'volumes',
        name: pvc.volume,
        body: { metadata: { labels: { [recurringJobLabelKey(pvc.job)]: LONGHORN_LABEL_ENABLED } } },
      },
      mergePatch,
    );
  });
}

/** Back to the state before any job: jobs deleted, job labels removed from the volumes. */
export async function removeJobsAndLabels(
  kc: KubeConfig,
  fleet: readonly FleetPvc[],
  concurrency: number,
): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  // One delete per job, not a deletecollection: one request deleting 20,000 objects outlasts the
  // pooled client's request timeout on a loaded machine.
  await forEachBounded(fleet, concurrency, async (pvc) => {
    await custom.deleteNamespacedCustomObject({ ...longhorn, plural: 'recurringjobs', name: pvc.job });
    await custom.patchNamespacedCustomObject(
      {
        ...longhorn,
        plural: 'volumes',
        name: pvc.volume,
        body: { metadata: { labels: { [recurringJobLabelKey(pvc.job)]: null } } },
      },
      mergePatch,
    );
  });
}
