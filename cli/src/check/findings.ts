// What `check` reports: findings about PVCs (errors fail the check, warnings do not), notes on
// what it had to assume, and problems with the input itself (which make it unusable).

export interface Position {
  /** The file, or `<stdin>`. */
  readonly source: string;
  /** 1-based line, null when the parser could not give one. */
  readonly line: number | null;
  /** 1-based number of the YAML document in the file. */
  readonly document: number;
}

/** Where a PVC came from when a StatefulSet's controller would make it. */
export interface ReplicaOrigin {
  readonly statefulSet: string;
  readonly template: string;
  readonly ordinal: number;
}

export interface Finding {
  readonly severity: 'error' | 'warning';
  readonly position: Position;
  readonly namespace: string;
  readonly pvc: string;
  readonly replicaOf: ReplicaOrigin | null;
  /**
   * The violation's condition code (as the metric `backup_pvc_violation` has it), or null for a warning without one.
   */
  readonly condition: string | null;
  /** The webhook's message. */
  readonly message: string;
}

export interface InputProblem {
  readonly source: string;
  readonly line: number | null;
  readonly message: string;
}

export interface CheckReport {
  readonly findings: readonly Finding[];
  /** What was assumed, once each (a namespace, a StorageClass, the cluster's default class). */
  readonly notes: readonly string[];
  readonly problems: readonly InputProblem[];
  /** PVCs judged: the documents' own and the StatefulSet replicas made from templates. */
  readonly checked: { readonly pvcs: number; readonly replicas: number };
}

/** 0 clean (warnings allowed unless strict), 1 violations, 2 unusable input. */
export function exitCodeOf(report: CheckReport, strict: boolean): 0 | 1 | 2 {
  if (report.problems.length > 0) return 2;
  const failing = report.findings.filter((finding) => finding.severity === 'error' || strict);
  return failing.length > 0 ? 1 : 0;
}
