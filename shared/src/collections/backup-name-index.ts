// The cached PVCs by namespace and the value of one label (the backup name, `<p>/name`), so the
// duplicate-name check reads the few PVCs that claim a name instead of walking the namespace on
// every decision (the webhook's reviews, the reconciler's reconciles). Kept up to date by the PVC
// informers' handlers; the label key comes with each question (it follows the configuration's
// prefix): asked under another key, the index is built again once from every cached PVC.
import { MultiIndex } from './multi-index.ts';

/** What the index reads of a PVC (the webhook's PvcLike and client-node's V1PersistentVolumeClaim fit). */
export interface LabelledObject {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>> | null;
  };
}

/** A namespace is a DNS label: no '/', so `<namespace>/<value>` names one group. */
function groupOf(namespace: string, value: string): string {
  return `${namespace}/${value}`;
}

export class BackupNameIndex<T extends LabelledObject> {
  /** Every cached PVC, to build the index from when the label key changes. */
  readonly #everyPvc: () => Iterable<T>;
  #labelKey: string | undefined;
  #byValue = new MultiIndex<T>();
  /** The group each indexed PVC (by `<namespace>/<name>`) is in, to move it when its label changes. */
  readonly #groupOfPvc = new Map<string, string>();

  constructor(everyPvc: () => Iterable<T>) {
    this.#everyPvc = everyPvc;
  }

  /** The namespace's PVCs whose label `labelKey` is `value`. */
  labelled(namespace: string, labelKey: string, value: string): T[] {
    if (labelKey !== this.#labelKey) this.#rebuild(labelKey);
    return this.#byValue.get(groupOf(namespace, value));
  }

  put(pvc: T): void {
    this.remove(pvc);
    const value = this.#labelKey === undefined ? undefined : pvc.metadata?.labels?.[this.#labelKey];
    if (value === undefined) return;
    const { namespace = '', name = '' } = pvc.metadata ?? {};
    const group = groupOf(namespace, value);
    this.#byValue.set(group, name, pvc);
    this.#groupOfPvc.set(`${namespace}/${name}`, group);
  }

  remove(pvc: T): void {
    const { namespace = '', name = '' } = pvc.metadata ?? {};
    const key = `${namespace}/${name}`;
    const group = this.#groupOfPvc.get(key);
    if (group === undefined) return;
    this.#byValue.delete(group, name);
    this.#groupOfPvc.delete(key);
  }

  #rebuild(labelKey: string): void {
    this.#byValue = new MultiIndex<T>();
    this.#groupOfPvc.clear();
    this.#labelKey = labelKey;
    for (const pvc of this.#everyPvc()) this.put(pvc);
  }
}
