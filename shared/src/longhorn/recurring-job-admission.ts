// Longhorn's admission rules for a RecurringJob (they run only where Longhorn's webhook runs, so
// the product checks its own jobs against them before writing).

import { parseStandardCron } from '../cron/parse-standard-cron.ts';
import { isQualifiedName } from '../names/kubernetes-names.ts';
import { JOB_NAME_MAX_LENGTH, JOB_NAME_PATTERN } from '../intent/job-name.ts';
import type { RecurringJob, RecurringJobTask } from './types.ts';

const TASKS: readonly RecurringJobTask[] = [
  'snapshot',
  'snapshot-force-create',
  'snapshot-cleanup',
  'snapshot-delete',
  'backup',
  'backup-force-create',
  'filesystem-trim',
  'system-backup',
];
const BACKUP_TASKS: readonly RecurringJobTask[] = ['backup', 'backup-force-create'];
const GROUP_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const VOLUME_BACKUP_POLICIES = ['always', 'if-not-present', 'disabled'];

function parameterProblems(parameters: Readonly<Record<string, string>>): string[] {
  return Object.entries(parameters).flatMap(([key, value]) => {
    if (key === 'full-backup-interval')
      return /^[0-9]+$/.test(value)
        ? []
        : [`parameter full-backup-interval=${JSON.stringify(value)} is not a whole number`];
    if (key === 'volume-backup-policy') {
      return VOLUME_BACKUP_POLICIES.includes(value)
        ? []
        : [
            `parameter volume-backup-policy=${JSON.stringify(value)} is not one of ${VOLUME_BACKUP_POLICIES.join(', ')}`,
          ];
    }
    return [`parameter ${JSON.stringify(key)} is not supported for backup tasks`];
  });
}

/** What Longhorn would refuse about this job; empty when it would accept it. */
export function recurringJobProblems(job: RecurringJob, maxRetention: number): string[] {
  const problems: string[] = [];
  const name = job.metadata.name ?? '';
  const spec = job.spec ?? {};
  const specName = spec.name === undefined || spec.name === '' ? name : spec.name;
  if (!JOB_NAME_PATTERN.test(name))
    problems.push(`metadata.name ${JSON.stringify(name)} does not match ${String(JOB_NAME_PATTERN)}`);
  if (specName.length > JOB_NAME_MAX_LENGTH)
    problems.push(`spec.name ${JSON.stringify(specName)} is longer than ${JOB_NAME_MAX_LENGTH} characters`);
  if (spec.task === undefined || !TASKS.includes(spec.task))
    problems.push(`spec.task ${JSON.stringify(spec.task ?? '')} is not one of ${TASKS.join(', ')}`);
  const cron = parseStandardCron(spec.cron ?? '');
  if (!cron.ok) problems.push(`spec.cron ${JSON.stringify(spec.cron ?? '')} is invalid: ${cron.error}`);
  const retain = spec.retain ?? 0;
  if (!Number.isInteger(retain) || retain < 0 || retain > maxRetention)
    problems.push(`spec.retain ${retain} is outside 0..${maxRetention}`);
  const concurrency = spec.concurrency ?? 0;
  if (!Number.isInteger(concurrency) || concurrency < 0)
    problems.push(`spec.concurrency ${concurrency} is not a whole number of 0 or more`);
  for (const group of spec.groups ?? []) {
    if (!GROUP_PATTERN.test(group))
      problems.push(`spec.groups item ${JSON.stringify(group)} does not match ${String(GROUP_PATTERN)}`);
  }
  for (const [key, value] of Object.entries(spec.labels ?? {})) {
    if (!isQualifiedName(key) || value === '')
      problems.push(
        `spec.labels ${JSON.stringify(key)}=${JSON.stringify(value)} needs a qualified-name key and a non-empty value`,
      );
  }
  if (spec.task !== undefined && BACKUP_TASKS.includes(spec.task))
    problems.push(...parameterProblems(spec.parameters ?? {}));
  return problems;
}
