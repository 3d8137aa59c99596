// The backup-health gauges: per PVC from the report store (so they disappear with the PVC, like
// the others), and the cluster-wide audit from the Backup cache, computed at scrape time and only
// by the leader (a standby's figures would be stale).

import { Gauge, type Registry } from 'prom-client';
import type { JobHealthReport } from '../model/key-report.ts';
import type { BackupAudit } from '../health/audit-backups.ts';
import { registerJobGauge } from './backup-gauges.ts';
import type { ReportStore } from './report-store.ts';

const PVC_GAUGES: readonly { name: string; help: string; value: (health: JobHealthReport) => number | undefined }[] = [
  {
    name: 'backup_last_success_timestamp_seconds',
    help: "When the last backup of this PVC's job completed (Longhorn's backupCreatedAt), in seconds since the epoch.",
    value: (h) => h.lastSuccessAt,
  },
  {
    name: 'backup_last_failure_timestamp_seconds',
    help: "When the last failed (Error/Unknown) backup of this PVC's job was made, in seconds since the epoch.",
    value: (h) => h.lastFailureAt,
  },
  {
    name: 'backup_pvc_stale',
    help: 'No backup of this PVC completed within two scheduled runs plus backupStaleSlack (1), else 0.',
    value: (h) => (h.state === 'stale' ? 1 : 0),
  },
  {
    name: 'backup_pvc_failing',
    help: "The last backupFailingAfter runs of this PVC's job failed (1), else 0.",
    value: (h) => (h.state === 'failing' ? 1 : 0),
  },
  {
    name: 'backup_pvc_detached',
    help: "This PVC's Longhorn volume is detached, so its recurring backups do not run (1), else 0.",
    value: (h) => (h.state === 'detached' ? 1 : 0),
  },
  {
    name: 'backup_completed_count',
    help: "Completed backups of this PVC's job that exist (compare with its retain).",
    value: (h) => h.completedCount,
  },
];

export function registerHealthGauges(
  registry: Registry,
  store: ReportStore,
  audit: () => BackupAudit | undefined,
): void {
  for (const { name, help, value } of PVC_GAUGES) {
    registerJobGauge(registry, store, name, help, (report) =>
      report.health.flatMap((health) => {
        const figure = value(health);
        return figure === undefined ? [] : [[health.job, figure] as const];
      }),
    );
  }
  const auditGauge = (name: string, help: string, list: (audit: BackupAudit) => ReadonlyMap<string, number>) =>
    new Gauge({
      name,
      help,
      labelNames: ['job'],
      registers: [registry],
      collect() {
        this.reset();
        const current = audit();
        for (const [job, count] of current === undefined ? [] : list(current)) this.set({ job }, count);
      },
    });
  auditGauge(
    'backup_untracked_backups',
    'Backups whose RecurringJob (or archive job) no longer exists; never deleted by the product.',
    (a) => a.untracked,
  );
  auditGauge(
    'backup_expired_archive_backups',
    'Archive Backups of a job whose archive-delete-after date has passed; never deleted by the product.',
    (a) => a.expiredArchives,
  );
}
