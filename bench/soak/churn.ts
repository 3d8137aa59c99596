// The soak's churn, one operation per tick: PVCs created and bound (playing the CSI provisioner,
// the PV binder and Longhorn), relabelled (now and then to a value the webhook refuses, or opted
// out and back in), deleted (playing the PVC protection controller and Longhorn's reclaim of the
// PV, the Volume and its Backups), and Backups completing (playing Longhorn's backup controller and
// its retention: a volume keeps its last BACKUPS_KEPT). Through the real apiserver, so every
// create, update and delete of a PVC is also an admission review of the real webhook.
import { jobNameFor } from '@longhorn-backup-guard/shared/intent/job-name';
import { LONGHORN_GROUP, LONGHORN_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import { apiStatusCode, isNotFound } from '@longhorn-backup-guard/shared/kube/api-errors';
import { enabledLabels, P, type ReconcilerWorld } from '../../tests/integration/reconciler-fixture.ts';

const BACKUPS_KEPT = 3;
const INTERVALS = ['1', '2', '3', '4', '6', '8', '12', '24'];

interface LivePvc {
  readonly namespace: string;
  readonly name: string;
  readonly volume: string;
  readonly backups: string[];
  enabled: boolean;
}

export type Operation = 'create' | 'relabel' | 'refused-relabel' | 'opt-toggle' | 'delete' | 'backup';

/** A small seeded generator (mulberry32): the same seed makes the same churn. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Churn {
  readonly #world: ReconcilerWorld;
  readonly #target: number;
  readonly #random: () => number;
  readonly #live: LivePvc[] = [];
  #created = 0;
  #backups = 0;
  readonly counts = new Map<Operation | 'failed', number>();
  /** The last failures (at most 20), for the report. */
  readonly failures: string[] = [];

  constructor(world: ReconcilerWorld, target: number, seed: number) {
    this.#world = world;
    this.#target = target;
    this.#random = seededRandom(seed);
  }

  get livePvcs(): number {
    return this.#live.length;
  }

  /** Creates PVCs until the population is at its target (the set-up before the clock starts). */
  async fill(): Promise<void> {
    while (this.#live.length < this.#target) await this.#create();
  }

  /** One operation, chosen so that the population stays around its target. */
  async step(): Promise<Operation> {
    const roll = this.#random();
    const low = this.#live.length < this.#target * 0.8;
    const high = this.#live.length > this.#target * 1.2;
    const operation: Operation =
      low || (roll < 0.15 && !high)
        ? 'create'
        : roll < 0.3
          ? 'delete'
          : roll < 0.55
            ? 'relabel'
            : roll < 0.6
              ? 'refused-relabel'
              : roll < 0.65
                ? 'opt-toggle'
                : 'backup';
    try {
      await this.#run(operation);
      this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    } catch (error) {
      this.counts.set('failed', (this.counts.get('failed') ?? 0) + 1);
      this.failures.push(`${operation}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300));
      if (this.failures.length > 20) this.failures.shift();
    }
    return operation;
  }

  #pick(): LivePvc | undefined {
    return this.#live[Math.floor(this.#random() * this.#live.length)];
  }

  async #run(operation: Operation): Promise<void> {
    if (operation === 'create') return this.#create();
    const pvc = this.#pick();
    if (pvc === undefined) return;
    if (operation === 'delete') return this.#delete(pvc);
    if (operation === 'backup') return this.#backup(pvc);
    if (operation === 'opt-toggle') {
      pvc.enabled = !pvc.enabled;
      return this.#world.labelPvc(pvc.namespace, pvc.name, { [`${P}/enabled`]: String(pvc.enabled) });
    }
    if (operation === 'relabel') {
      const interval = INTERVALS[Math.floor(this.#random() * INTERVALS.length)] ?? '4';
      const retain = String(1 + Math.floor(this.#random() * 30));
      return this.#world.labelPvc(pvc.namespace, pvc.name, { [`${P}/interval`]: interval, [`${P}/retain`]: retain });
    }
    // refused-relabel: the webhook must deny it (400 would be a failure of the churn itself).
    try {
      await this.#world.labelPvc(pvc.namespace, pvc.name, { [`${P}/interval`]: '5' });
    } catch (error) {
      if (apiStatusCode(error) === 400 || apiStatusCode(error) === 403) return;
      throw error;
    }
    throw new Error(`interval=5 on ${pvc.namespace}/${pvc.name} was admitted`);
  }

  async #create(): Promise<void> {
    const index = this.#created++;
    const namespace = this.#world.apps[index % this.#world.apps.length] ?? '';
    const name = `d-${index}`;
    const volume = `pvc-soak-${index}`;
    await this.#world.createPvc(namespace, name, enabledLabels(name));
    await this.#world.bind(namespace, name, volume);
    this.#live.push({ namespace, name, volume, backups: [], enabled: true });
  }

  async #delete(pvc: LivePvc): Promise<void> {
    this.#live.splice(this.#live.indexOf(pvc), 1);
    await this.#world.deletePvc(pvc.namespace, pvc.name);
    const ignoreMissing = (error: unknown) => {
      if (!isNotFound(error)) throw error;
    };
    await this.#world.core.deletePersistentVolume({ name: this.#world.pvNameFor(pvc.volume) }).catch(ignoreMissing);
    await this.#deleteLonghorn('volumes', pvc.volume).catch(ignoreMissing);
    for (const backup of pvc.backups) await this.#deleteLonghorn('backups', backup).catch(ignoreMissing);
  }

  async #backup(pvc: LivePvc): Promise<void> {
    const name = `backup-soak-${this.#backups++}`;
    await this.#world.playBackup(jobNameFor(pvc.namespace, pvc.name), pvc.volume, name, 'Completed', new Date());
    pvc.backups.push(name);
    while (pvc.backups.length > BACKUPS_KEPT) {
      const oldest = pvc.backups.shift();
      if (oldest !== undefined) await this.#deleteLonghorn('backups', oldest);
    }
  }

  async #deleteLonghorn(plural: 'volumes' | 'backups', name: string): Promise<void> {
    await this.#world.custom.deleteNamespacedCustomObject({
      group: LONGHORN_GROUP,
      version: LONGHORN_VERSION,
      namespace: this.#world.longhornNs,
      plural,
      name,
    });
  }
}
