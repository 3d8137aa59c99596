// The last report of every key, from which the per-PVC gauges are built at scrape time: a key
// whose PVC and jobs are gone stores nothing, so its series disappear with it.

import { isEmptyReport, type KeyReport } from '../model/key-report.ts';
import { keyString, type PvcKey } from '../keys/pvc-key.ts';

export class ReportStore {
  readonly #reports = new Map<string, { readonly key: PvcKey; readonly report: KeyReport }>();

  set(key: PvcKey, report: KeyReport): void {
    if (isEmptyReport(report)) this.#reports.delete(keyString(key));
    else this.#reports.set(keyString(key), { key, report });
  }

  get(key: PvcKey): KeyReport | undefined {
    return this.#reports.get(keyString(key))?.report;
  }

  /** Forget the keys not in `keys` (they left the caches' scope and will not be reconciled again). */
  retainOnly(keys: readonly PvcKey[]): void {
    const kept = new Set(keys.map(keyString));
    for (const text of this.#reports.keys()) if (!kept.has(text)) this.#reports.delete(text);
  }

  /** Forget everything (this replica stopped leading: the leader reports). */
  clear(): void {
    this.#reports.clear();
  }

  entries(): IterableIterator<{ readonly key: PvcKey; readonly report: KeyReport }> {
    return this.#reports.values();
  }
}
