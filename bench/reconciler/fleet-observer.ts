// Watches the Longhorn namespace the way a user would see it: when each managed RecurringJob
// appears (and with which retain), when each Volume carries its job label. Timestamps are taken on
// arrival in this process (performance.now()), so they include the watch's delivery delay.
import type { KubeConfig } from '@kubernetes/client-node';
import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { LONGHORN_LABEL_ENABLED, recurringJobLabelKey } from '@longhorn-backup-guard/shared/longhorn/api';
import { waitFor } from '../../tests/harness/wait-for.ts';
import { longhorn, type FleetPvc } from './fleet.ts';

interface LabelledObject extends KubeObject {
  metadata?: KubeObject['metadata'] & { labels?: Record<string, string> };
}
interface JobObject extends LabelledObject {
  spec?: { retain?: number };
}

interface RetainWaiter {
  readonly retain: number;
  readonly resolve: (arrivedAt: number) => void;
}

export class FleetObserver {
  readonly #jobs: Informer<JobObject>;
  readonly #volumes: Informer<LabelledObject>;
  /** Volume name -> the job label it must carry. */
  readonly #expectedLabel = new Map<string, string>();
  readonly #jobNames: ReadonlySet<string>;
  readonly #labelledVolumes = new Set<string>();
  readonly #presentJobs = new Set<string>();
  readonly #retainWaiters = new Map<string, RetainWaiter>();
  #firstJobAt: number | undefined;

  constructor(kubeConfig: KubeConfig, fleet: readonly FleetPvc[]) {
    for (const pvc of fleet) this.#expectedLabel.set(pvc.volume, recurringJobLabelKey(pvc.job));
    this.#jobNames = new Set(fleet.map((pvc) => pvc.job));
    const log = createLogger('bench-observer', 'warn');
    // No relist while measuring: a periodic relist would be load the measured component does not cause.
    const common = { kubeConfig, log, resyncPeriodMs: 0, watchdogMs: 0 };
    this.#jobs = new Informer<JobObject>({
      ...common,
      resource: 'recurringjobs',
      path: resourcePath({ ...longhorn, plural: 'recurringjobs' }),
      handler: {
        onAdd: (job) => this.#onJob(job),
        onUpdate: (_old, job) => this.#onJob(job),
        onDelete: (job) => {
          this.#presentJobs.delete(job.metadata?.name ?? '');
          if (this.#presentJobs.size === 0) this.#firstJobAt = undefined;
        },
      },
    });
    this.#volumes = new Informer<LabelledObject>({
      ...common,
      resource: 'volumes',
      path: resourcePath({ ...longhorn, plural: 'volumes' }),
      handler: {
        onAdd: (volume) => this.#onVolume(volume),
        onUpdate: (_old, volume) => this.#onVolume(volume),
        onDelete: (volume) => this.#labelledVolumes.delete(volume.metadata?.name ?? ''),
      },
    });
  }

  async start(): Promise<void> {
    this.#jobs.start();
    this.#volumes.start();
    await Promise.all([this.#jobs.whenSynced(), this.#volumes.whenSynced()]);
  }

  stop(): Promise<void[]> {
    return Promise.all([this.#jobs.stop(), this.#volumes.stop()]);
  }

  get jobCount(): number {
    return this.#presentJobs.size;
  }

  get labelledVolumeCount(): number {
    return this.#labelledVolumes.size;
  }

  /** When the first of the fleet's jobs arrived since there were none (the first write of a run). */
  get firstJobAt(): number | undefined {
    return this.#firstJobAt;
  }

  /** Resolves with the arrival time once every job exists and every volume carries its label. */
  whenComplete(timeoutMs: number): Promise<number> {
    const total = this.#expectedLabel.size;
    return waitFor(
      `${total} jobs and ${total} labelled volumes`,
      async () => (this.jobCount === total && this.labelledVolumeCount === total ? performance.now() : undefined),
      timeoutMs,
      5,
    );
  }

  /** Resolves with the arrival time once none of the fleet's jobs and volume labels are left. */
  whenEmpty(timeoutMs: number): Promise<number> {
    return waitFor(
      'no jobs and no labelled volumes',
      async () => (this.jobCount === 0 && this.labelledVolumeCount === 0 ? performance.now() : undefined),
      timeoutMs,
      20,
    );
  }

  /** Resolves with the arrival time of the job once its spec.retain is `retain`. */
  whenRetain(job: string, retain: number): Promise<number> {
    return new Promise((resolve) => {
      this.#retainWaiters.set(job, { retain, resolve });
    });
  }

  #onJob(job: JobObject): void {
    const at = performance.now();
    const name = job.metadata?.name ?? '';
    if (!this.#jobNames.has(name)) return;
    if (this.#presentJobs.size === 0) this.#firstJobAt ??= at;
    this.#presentJobs.add(name);
    const waiter = this.#retainWaiters.get(name);
    if (waiter !== undefined && job.spec?.retain === waiter.retain) {
      this.#retainWaiters.delete(name);
      waiter.resolve(at);
    }
  }

  #onVolume(volume: LabelledObject): void {
    const name = volume.metadata?.name ?? '';
    const label = this.#expectedLabel.get(name);
    if (label === undefined) return;
    if (volume.metadata?.labels?.[label] === LONGHORN_LABEL_ENABLED) this.#labelledVolumes.add(name);
    else this.#labelledVolumes.delete(name);
  }
}
