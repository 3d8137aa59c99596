// The per-PVC gauges (names from the seed, so existing alert rules keep working). They are built
// from the report store on every scrape: always current, and no series outlives its object.

import { Gauge, type Registry } from 'prom-client';
import type { KeyReport } from '../model/key-report.ts';
import type { ReportStore } from './report-store.ts';

type JobList = 'managed' | 'orphaned' | 'archiveReady' | 'archiveExpired' | 'archiveFailed' | 'archiveExhausted';

const JOB_GAUGES: readonly { name: string; help: string; list: JobList }[] = [
  {
    name: 'backup_pvc_managed',
    help: "A RecurringJob backs up this PVC (1); policy is the PVC's backup policy (empty: its own job).",
    list: 'managed',
  },
  {
    name: 'backup_pvc_orphaned',
    help: 'This managed RecurringJob lost its PVC and is removed after the grace period (1).',
    list: 'orphaned',
  },
  { name: 'backup_archive_ready', help: 'The archive backup of this PVC completed (1).', list: 'archiveReady' },
  {
    name: 'backup_archive_expired',
    help: 'The archive of this PVC is past its archive-delete-after date (1).',
    list: 'archiveExpired',
  },
  {
    name: 'backup_archive_failed',
    help: 'The archive workflow of this PVC failed and is being retried (1).',
    list: 'archiveFailed',
  },
  {
    name: 'backup_archive_attempts_exhausted',
    help: 'The archive of this PVC failed archiveMaxAttempts times and is not retried until asked again (1).',
    list: 'archiveExhausted',
  },
];

export function registerBackupGauges(registry: Registry, store: ReportStore): void {
  new Gauge({
    name: 'backup_pvc_violation',
    help: 'This Longhorn-backed PVC violates the backup label rules under this condition (1).',
    labelNames: ['condition', 'namespace', 'pvc'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { key, report } of store.entries()) {
        for (const { condition } of report.violations)
          this.set({ condition, namespace: key.namespace, pvc: key.pvcName }, 1);
      }
    },
  });
  for (const { name, help, list } of JOB_GAUGES)
    registerJobGauge(
      registry,
      store,
      name,
      help,
      (report) => report[list].map((job) => [job, 1]),
      list === 'managed' ? (report) => report.policies[0] ?? '' : undefined,
    );
}

/** A per-PVC gauge {job, namespace, pvc}, rebuilt from the reports on every scrape. */
export function registerJobGauge(
  registry: Registry,
  store: ReportStore,
  name: string,
  help: string,
  series: (report: KeyReport) => Iterable<readonly [job: string, value: number]>,
  /** Adds the label `policy` with this value. */
  policyOf?: (report: KeyReport) => string,
): void {
  new Gauge({
    name,
    help,
    labelNames: policyOf === undefined ? ['job', 'namespace', 'pvc'] : ['job', 'namespace', 'pvc', 'policy'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { key, report } of store.entries()) {
        const policy = policyOf === undefined ? {} : { policy: policyOf(report) };
        for (const [job, value] of series(report))
          this.set({ job, namespace: key.namespace, pvc: key.pvcName, ...policy }, value);
      }
    },
  });
}
