// The ConfigMap's `policies:` -> named backup policies (backup-policy.ts), validated like the
// labels: the schedule values go through the label rules (interval, HHMM, retain within
// maxRetention, full-backup interval, concurrency), so a policy and a label accept the same values
// and explain a refusal the same way. Every problem is reported, each naming its key path.
//
//   policies:
//     standard:
//       - {task: backup, daily: "0200", retain: 7}
//       - {task: backup, weekly: {day: sun, at: "0300"}, retain: 4, fullBackupInterval: 1}
//     frequent:
//       - {task: snapshot, every: 1h, retain: 24}
//       - {task: backup, every: 6h, start: "0030", retain: 8}

import type { BackupSettings } from '../intent/backup-settings.ts';
import { JOB_NAME_MAX_LENGTH } from '../intent/job-name.ts';
import type { RuleResult, ValueProblem } from '../intent/rule-result.ts';
import { INTERVAL_HOURS, type IntervalHours, type StartTime } from '../intent/schedule-values.ts';
import {
  parseConcurrency,
  parseFullBackupInterval,
  parseInterval,
  parseRetain,
  parseStart,
} from '../intent/setting-rules.ts';
import { isDnsLabel } from '../names/kubernetes-names.ts';
import {
  POLICY_TASKS,
  WEEKDAYS,
  policyGroup,
  policyJobName,
  type BackupPolicy,
  type PolicySchedule,
  type PolicyTask,
  type PolicyTiming,
  type Weekday,
} from '../policy/backup-policy.ts';
import { closestMatch } from '../text/closest-match.ts';
import { joinWords } from '../text/join-words.ts';
import type { YamlTree } from './yaml-tree.ts';

type YamlMap = ReadonlyMap<string, YamlTree>;
type Rule<T> = (text: string) => RuleResult<T> | { readonly ok: false; readonly failure: ValueProblem };

/** What the policy parser needs of parseConfig's error reporting (the same messages for every key). */
export interface ConfigReader {
  /** The mapping at `path` (null: empty); unknown keys are reported. */
  mapping(value: YamlTree, path: string, keys: readonly string[]): YamlMap;
  /** The scalar `key` of `map` through `rule`; absent, null or refused: `fallback`. */
  scalar<T>(map: YamlMap, path: string, key: string, rule: Rule<T>, fallback: T): T;
  wrongKind(path: string, value: YamlTree, wanted: string, example: string | null): void;
  error(path: string, message: string): void;
  /** How many problems were reported so far (a schedule with a problem of its own is left out). */
  errorCount(): number;
}

export interface PolicyContext {
  readonly defaults: BackupSettings;
  readonly maxRetention: number;
}

const SCHEDULE_KEYS = [
  'name',
  'task',
  'every',
  'start',
  'daily',
  'weekly',
  'retain',
  'fullBackupInterval',
  'concurrency',
] as const;
const TIMING_KEYS = ['every', 'daily', 'weekly'] as const;
const WEEKLY_KEYS = ['day', 'at'] as const;

function bad(reason: string, allowed: string, example: string | null) {
  return { ok: false as const, failure: { reason, allowed, example } };
}

const taskRule: Rule<PolicyTask> = (text) =>
  (POLICY_TASKS as readonly string[]).includes(text)
    ? { ok: true, value: text as PolicyTask }
    : bad(
        'is not a task',
        `use ${joinWords(POLICY_TASKS, 'or')}`,
        closestMatch(text.toLowerCase(), POLICY_TASKS) ?? 'backup',
      );

/** `6h`: hours between runs, a divisor of 24 (the interval label's rule on the number). */
const everyRule: Rule<IntervalHours> = (text) => {
  const hours = /^([0-9]+)h$/.exec(text)?.[1];
  const result = parseInterval(hours ?? text.replace(/[^0-9]/g, ''));
  if (hours !== undefined && result.ok) return result;
  const allowed = `use ${joinWords(
    INTERVAL_HOURS.map((h) => `${h}h`),
    'or',
  )}`;
  const example = result.ok ? `${result.value}h` : `${result.failure.example ?? '4'}h`;
  return bad(
    hours === undefined ? 'is not a number of hours such as 6h' : 'is not a divisor of 24 hours',
    allowed,
    example,
  );
};

/** Cron's day of week by its three-letter name (robfig: 0-6, Sunday 0). */
const dayRule: Rule<Weekday> = (text) => {
  if ((WEEKDAYS as readonly string[]).includes(text)) return { ok: true, value: text as Weekday };
  const guess =
    WEEKDAYS.find((day) => text.toLowerCase().startsWith(day)) ?? closestMatch(text.toLowerCase(), WEEKDAYS);
  return bad('is not a day of the week', `use ${joinWords(WEEKDAYS, 'or')}`, guess ?? 'sun');
};

const nameRule: Rule<string> = (text) =>
  isDnsLabel(text)
    ? { ok: true, value: text }
    : bad('is not a DNS label', "use lowercase letters, digits and '-'", 'daily');

/** The default schedule name: `daily`, `weekly`, `every-6h`; `snapshot-` before a snapshot task's. */
function defaultScheduleName(task: PolicyTask, timing: PolicyTiming): string {
  const base = timing.kind === 'every' ? `every-${timing.interval}h` : timing.kind;
  return task === 'snapshot' ? `snapshot-${base}` : base;
}

const UNSET = Symbol('unset');
type Unset = typeof UNSET;

function parseSchedule(
  reader: ConfigReader,
  context: PolicyContext,
  policyName: string,
  item: YamlTree,
  path: string,
): PolicySchedule | null {
  if (item === null || typeof item === 'string' || Array.isArray(item)) {
    reader.wrongKind(
      path,
      item,
      'a mapping of task, every/daily/weekly, retain …',
      '{task: backup, daily: "0200", retain: 7}',
    );
    return null;
  }
  const before = reader.errorCount();
  const map = reader.mapping(item, path, SCHEDULE_KEYS);
  const task = reader.scalar<PolicyTask | Unset>(map, path, 'task', taskRule, UNSET);
  if ((map.get('task') ?? null) === null)
    reader.error(
      `${path}.task`,
      `${path}.task is missing: use ${joinWords(POLICY_TASKS, 'or')} (e.g. ${path}.task: backup)`,
    );
  const given = TIMING_KEYS.filter((key) => (map.get(key) ?? null) !== null);
  if (given.length === 0)
    reader.error(path, `${path} has no schedule: use one of every, daily or weekly (e.g. ${path}.daily: "0200")`);
  if (given.length > 1)
    reader.error(path, `${path} sets ${joinWords(given, 'and')}: use one of them per schedule (a list item each)`);
  let timing: PolicyTiming | null = null;
  const at = (m: YamlMap, p: string, key: string): StartTime | Unset =>
    reader.scalar<StartTime | Unset>(m, p, key, parseStart, UNSET);
  if (given[0] === 'every') {
    const interval = reader.scalar<IntervalHours | Unset>(map, path, 'every', everyRule, UNSET);
    const start = (map.get('start') ?? null) === null ? context.defaults.start : at(map, path, 'start');
    if (interval !== UNSET && start !== UNSET) timing = { kind: 'every', interval, start };
  } else if ((map.get('start') ?? null) !== null) {
    reader.error(
      `${path}.start`,
      `${path}.start goes only with every: daily and weekly give their own time (remove start)`,
    );
  }
  if (given[0] === 'daily') {
    const time = at(map, path, 'daily');
    if (time !== UNSET) timing = { kind: 'daily', at: time };
  }
  if (given[0] === 'weekly') {
    const weeklyPath = `${path}.weekly`;
    const weekly = reader.mapping(map.get('weekly') ?? null, weeklyPath, WEEKLY_KEYS);
    for (const key of WEEKLY_KEYS)
      if ((weekly.get(key) ?? null) === null)
        reader.error(
          `${weeklyPath}.${key}`,
          `${weeklyPath}.${key} is missing (e.g. ${weeklyPath}: {day: sun, at: "0300"})`,
        );
    const day = reader.scalar<Weekday | Unset>(weekly, weeklyPath, 'day', dayRule, UNSET);
    const time = at(weekly, weeklyPath, 'at');
    if (day !== UNSET && time !== UNSET) timing = { kind: 'weekly', day, at: time };
  }
  const retain = reader.scalar(
    map,
    path,
    'retain',
    (text) => parseRetain(text, context.maxRetention),
    context.defaults.retain,
  );
  const concurrency = reader.scalar(map, path, 'concurrency', parseConcurrency, context.defaults.concurrency);
  const fullBackup = reader.scalar(
    map,
    path,
    'fullBackupInterval',
    parseFullBackupInterval,
    context.defaults.fullBackupInterval,
  );
  if (task === 'snapshot' && (map.get('fullBackupInterval') ?? null) !== null)
    reader.error(
      `${path}.fullBackupInterval`,
      `${path}.fullBackupInterval applies only to task backup: remove it from this snapshot schedule`,
    );
  const givenName = reader.scalar<string | Unset>(map, path, 'name', nameRule, UNSET);
  if (task === UNSET || timing === null || reader.errorCount() !== before) return null;
  const name = givenName === UNSET ? defaultScheduleName(task, timing) : givenName;
  const jobName = policyJobName(policyName, name);
  if (jobName.length > JOB_NAME_MAX_LENGTH) {
    reader.error(
      path,
      `${path}: the job name ${jobName} has ${jobName.length} characters, Longhorn allows ${JOB_NAME_MAX_LENGTH}: use a shorter policy name or give the schedule a shorter name (e.g. ${path}.name: ${name.slice(0, Math.max(1, JOB_NAME_MAX_LENGTH - policyJobName(policyName, '').length)).replace(/-+$/, '') || 'd'})`,
    );
    return null;
  }
  return {
    name,
    jobName,
    task,
    timing,
    retain,
    concurrency,
    fullBackupInterval: task === 'backup' ? fullBackup : null,
  };
}

export function parsePolicies(value: YamlTree, reader: ConfigReader, context: PolicyContext): readonly BackupPolicy[] {
  if (value === null) return [];
  if (!(value instanceof Map)) {
    reader.wrongKind('policies', value, 'a mapping of policy names to lists of schedules', null);
    return [];
  }
  const policies: BackupPolicy[] = [];
  const jobOwners = new Map<string, string>();
  for (const [policyName, list] of value as YamlMap) {
    const path = `policies.${policyName}`;
    if (!isDnsLabel(policyName)) {
      reader.error(
        path,
        `${path}: ${JSON.stringify(policyName)} is not a policy name: use a DNS label, lowercase letters, digits and '-' (e.g. policies.standard)`,
      );
      continue;
    }
    if (!Array.isArray(list) || list.length === 0) {
      if (Array.isArray(list) || list === null)
        reader.error(
          path,
          `${path} has no schedules: list at least one (e.g. ${path}: [{task: backup, daily: "0200", retain: 7}])`,
        );
      else reader.wrongKind(path, list, 'a list of schedules', '[{task: backup, daily: "0200", retain: 7}]');
      continue;
    }
    const schedules: PolicySchedule[] = [];
    (list as readonly YamlTree[]).forEach((item, index) => {
      const itemPath = `${path}[${index}]`;
      const schedule = parseSchedule(reader, context, policyName, item, itemPath);
      if (schedule === null) return;
      const owner = jobOwners.get(schedule.jobName);
      if (owner !== undefined) {
        reader.error(
          itemPath,
          `${itemPath}: its job name ${schedule.jobName} is already that of ${owner}: give one of them another name (e.g. ${itemPath}.name: ${schedule.name}-2)`,
        );
        return;
      }
      jobOwners.set(schedule.jobName, itemPath);
      schedules.push(schedule);
    });
    policies.push({ name: policyName, group: policyGroup(policyName), schedules });
  }
  return policies;
}
