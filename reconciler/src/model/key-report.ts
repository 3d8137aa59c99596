// What one key's last reconcile found: the per-PVC gauges are built from these reports, so a key
// whose report is empty (PVC and jobs gone) has no series left.

/** A violation as reported: the shared model's conditions plus the reconciler's own. */
export interface ReportedViolation {
  readonly condition: string;
  readonly message: string;
}

/** The backup health of one of the PVC's jobs (backup_pvc_stale, _failing, _completed_count, last success/failure). */
export interface JobHealthReport {
  readonly job: string;
  readonly state: string;
  /** Epoch seconds, when known. */
  readonly lastSuccessAt?: number;
  readonly lastFailureAt?: number;
  readonly completedCount: number;
}

export interface KeyReport {
  readonly violations: readonly ReportedViolation[];
  /** Jobs that back up this PVC (backup_pvc_managed). */
  readonly managed: readonly string[];
  /** Jobs of a deleted PVC waiting for the grace period (backup_pvc_orphaned). */
  readonly orphaned: readonly string[];
  /** Jobs kept for an archive after their PVC was deleted or opted out (logged, not alerted). */
  readonly retained: readonly string[];
  /** The archive workflow's results (backup_archive_ready / _expired / _failed), by job. */
  readonly archiveReady: readonly string[];
  readonly archiveExpired: readonly string[];
  readonly archiveFailed: readonly string[];
  /** Archives that used up archiveMaxAttempts and wait to be asked again (backup_archive_attempts_exhausted). */
  readonly archiveExhausted: readonly string[];
  readonly health: readonly JobHealthReport[];
  /** The policy the PVC is on (at most one; backup_pvc_managed's policy label). */
  readonly policies: readonly string[];
}

export const EMPTY_REPORT: KeyReport = Object.freeze({
  violations: [],
  managed: [],
  orphaned: [],
  retained: [],
  archiveReady: [],
  archiveExpired: [],
  archiveFailed: [],
  archiveExhausted: [],
  health: [],
  policies: [],
});

export function isEmptyReport(report: KeyReport): boolean {
  return Object.values(report).every((list: readonly unknown[]) => list.length === 0);
}

/** Both lists, in order; one of them as it is when the other is empty (reports are never changed in place). */
function joined<T>(a: readonly T[], b: readonly T[] | undefined): readonly T[] {
  if (b === undefined || b.length === 0) return a;
  return a.length === 0 ? b : [...a, ...b];
}

/**
 * Both reports together (the archive workflow's and the health's reports are merged into the main
 * one). Twice per reconcile, nearly always with empty lists: those are shared, not copied.
 */
export function mergeReports(a: KeyReport, b: Partial<KeyReport>): KeyReport {
  return {
    violations: joined(a.violations, b.violations),
    managed: joined(a.managed, b.managed),
    orphaned: joined(a.orphaned, b.orphaned),
    retained: joined(a.retained, b.retained),
    archiveReady: joined(a.archiveReady, b.archiveReady),
    archiveExpired: joined(a.archiveExpired, b.archiveExpired),
    archiveFailed: joined(a.archiveFailed, b.archiveFailed),
    archiveExhausted: joined(a.archiveExhausted, b.archiveExhausted),
    health: joined(a.health, b.health),
    policies: joined(a.policies, b.policies),
  };
}
