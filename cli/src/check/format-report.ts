// `check` output: one line per finding, `file:line: severity: PVC …: message` as compilers print
// them (editors and CI annotate the line), then notes and a summary; or the same as JSON.

import type { CheckReport, Finding, InputProblem } from './findings.ts';

function where(source: string, line: number | null): string {
  return line === null ? source : `${source}:${line}`;
}

function subject(finding: Finding): string {
  const replica =
    finding.replicaOf === null
      ? ''
      : ` (StatefulSet "${finding.replicaOf.statefulSet}" volumeClaimTemplate "${finding.replicaOf.template}", replica ${finding.replicaOf.ordinal})`;
  return `PVC "${finding.pvc}"${replica} in namespace "${finding.namespace}"`;
}

function problemLine(problem: InputProblem): string {
  return `${where(problem.source, problem.line)}: unusable input: ${problem.source} ${problem.message}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function formatText(report: CheckReport): string {
  const lines = [
    ...report.problems.map(problemLine),
    ...report.findings.map(
      (finding) =>
        `${where(finding.position.source, finding.position.line)}: ${finding.severity}: ${subject(finding)}: ${finding.message}`,
    ),
    ...report.notes.map((note) => `note: ${note}`),
  ];
  const errors = report.findings.filter((finding) => finding.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const checked = `checked ${plural(report.checked.pvcs, 'PVC')}${report.checked.replicas > 0 ? ` and ${plural(report.checked.replicas, 'StatefulSet replica')}` : ''}`;
  const problems = report.problems.length > 0 ? `, ${plural(report.problems.length, 'input problem')}` : '';
  lines.push(`${checked}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${problems}`);
  return `${lines.join('\n')}\n`;
}

export function formatJson(report: CheckReport, exitCode: number): string {
  const findings = report.findings.map((finding) => ({
    severity: finding.severity,
    file: finding.position.source,
    line: finding.position.line,
    document: finding.position.document,
    namespace: finding.namespace,
    pvc: finding.pvc,
    ...(finding.replicaOf === null
      ? {}
      : {
          statefulSet: finding.replicaOf.statefulSet,
          volumeClaimTemplate: finding.replicaOf.template,
          ordinal: finding.replicaOf.ordinal,
        }),
    condition: finding.condition,
    message: finding.message,
  }));
  const errors = report.findings.filter((finding) => finding.severity === 'error').length;
  const summary = { checked: report.checked, errors, warnings: report.findings.length - errors, exitCode };
  return `${JSON.stringify({ ...summary, findings, notes: report.notes, problems: report.problems.map((problem) => ({ file: problem.source, line: problem.line, message: problem.message })) }, null, 2)}\n`;
}
