// Every label and annotation the product reads or writes, declared once. Each key is
// `<labelPrefix>/<suffix>`. From this table come the key sets (label-keys.ts, archive-keys.ts,
// health-summary.ts), the labels a user may set on a PVC, the ConfigMap defaults and their type
// (backup-settings.ts), the rules and the violation codes (violation.ts), parsing (parse-intent.ts),
// the desired RecurringJob (desired-recurring-job.ts) and the fields the diff owns
// (diff-recurring-job.ts).
//
// Adding a PVC label is one entry in `pvc` (plus its rule in a rule file if no existing rule
// fits) and its tests; tests/unit/shared/label-schema.test.ts walks the table.

import { missingNameFailure, parseBackupName } from './backup-name-rule.ts';
import { parseCalendarDate } from './calendar-date.ts';
import { parseArchive, parseEnabled } from './flag-rules.ts';
import { parsePolicyName } from './policy-rule.ts';
import type { RuleFailure, RuleResult } from './rule-result.ts';
import { parseConcurrency, parseFullBackupInterval, parseInterval, parseRetain, parseStart } from './setting-rules.ts';

/** What a value rule may read besides the text. */
export interface RuleContext {
  /** The PVC's namespace and name. */
  readonly namespace: string;
  readonly pvcName: string;
  /** Longhorn's recurring-job-max-retention (the retain rule's maximum). */
  readonly maxRetention: number;
  /** The policies of the ConfigMap, by name. */
  readonly policyNames: readonly string[];
}

/**
 * What the missing-label check of a required label may read. Ids are plain strings here: the
 * table's own id type is derived from the table, which uses this type.
 */
export interface MissingContext extends RuleContext {
  /** The full key of another PVC label by id, for messages that name it. */
  readonly keyOf: (id: string) => string;
  /** The valid value of a label above this one in the table, by id; undefined when absent or refused. */
  readonly valueOf: (id: string) => unknown;
}

/**
 * When the label is absent:
 * - `config-default`: the ConfigMap's `defaults.<id>` applies (and the value follows it);
 * - `optional`: nothing is wrong and nothing is set;
 * - a function: the refusal to report, or null when the absence is fine here.
 */
export type WhenMissing<C extends string> =
  'config-default' | 'optional' | ((context: MissingContext) => RuleFailure<C> | null);

/** How a PVC label reaches the PVC's RecurringJob. */
export type JobMapping =
  /** It names the job: `backup-<namespace>-<value>`. */
  | { readonly via: 'job-name' }
  /** spec.<field> holds the value; spec.cron is made from start and interval together. */
  | { readonly via: 'spec'; readonly field: 'retain' | 'concurrency' | 'cron' }
  /** spec.parameters[<name>] holds the value as text. */
  | { readonly via: 'parameter'; readonly name: string }
  /** The job carries the same label with the PVC's value while the PVC requests an archive. */
  | { readonly via: 'label-while-archive-requested' }
  /** It names a policy: the volume joins the policy's group and runs the policy's shared jobs instead. */
  | { readonly via: 'policy-group' }
  /** It does not reach the job. */
  | { readonly via: 'none' };

export interface PvcLabelEntry<T, C extends string, M extends WhenMissing<C>, J extends JobMapping> {
  readonly suffix: string;
  /** What it means, for people. */
  readonly about: string;
  /** Two different valid values (the tests and the README use them). */
  readonly examples: readonly [string, string];
  /** Every condition code the label is reported under. */
  readonly conditions: readonly C[];
  readonly rule: (text: string, context: RuleContext) => RuleResult<T, NoInfer<C>>;
  readonly whenMissing: M;
  readonly job: J;
}

/** Keeps each entry's own types (its value, its codes, its mappings) for what is derived. */
function pvcLabel<T, C extends string, const M extends WhenMissing<C>, const J extends JobMapping>(
  entry: PvcLabelEntry<T, C, M, J>,
): PvcLabelEntry<T, C, M, J> {
  return entry;
}

export type ObjectKind = 'PersistentVolumeClaim' | 'RecurringJob' | 'Snapshot' | 'Backup' | 'Namespace' | 'Volume';

/** A key the product writes (or, for Namespace, reads) that is not a PVC label. */
export interface ProductKeyEntry {
  readonly suffix: string;
  readonly form: 'label' | 'annotation';
  readonly on: readonly ObjectKind[];
  /** Who writes it. */
  readonly setBy: 'reconciler' | 'user';
  readonly about: string;
  /** A label of the desired RecurringJob itself (the diff keeps it in line). */
  readonly desiredJobLabel?: true;
}

// Not a PVC label that reaches the job: a policy replaces the job's schedule settings, which must
// then not be set (parse-intent.ts reports each one that is, under policy_with_schedule_labels).
const policyLabel = pvcLabel({
  suffix: 'policy',
  about: "a backup policy of the ConfigMap; its schedules replace the PVC's own job (no schedule label with it)",
  examples: ['standard', 'frequent'],
  conditions: ['unknown_policy', 'policy_with_schedule_labels'],
  rule: (text, { policyNames }) => parsePolicyName(text, policyNames),
  whenMissing: 'optional',
  job: { via: 'policy-group' },
});

/** In table order: the order of parsing, of the violations reported and of the README. */
const pvc = {
  enabled: pvcLabel({
    suffix: 'enabled',
    about: 'opt in (true) or out (false); required on every Longhorn-backed PVC',
    examples: ['true', 'false'],
    conditions: ['missing_enabled_label', 'invalid_enabled'],
    rule: (text) => parseEnabled(text),
    whenMissing: () => ({
      condition: 'missing_enabled_label',
      reason: 'is missing',
      allowed: 'every Longhorn-backed PVC must opt in or out: use true or false',
      example: 'true',
    }),
    job: { via: 'none' },
  }),
  name: pvcLabel({
    suffix: 'name',
    about: 'the job name backup-<namespace>-<name>; required when enabled=true',
    examples: ['data', 'db-main'],
    conditions: ['missing_name', 'invalid_name', 'job_name_too_long', 'duplicate_name'],
    rule: (text, { namespace }) => parseBackupName(text, namespace),
    whenMissing: ({ valueOf, namespace, pvcName, keyOf }) =>
      valueOf('enabled') === true ? missingNameFailure(namespace, pvcName, keyOf('enabled')) : null,
    job: { via: 'job-name' },
  }),
  retain: pvcLabel({
    suffix: 'retain',
    about: 'how many backups the job keeps',
    examples: ['14', '3'],
    conditions: ['invalid_retain', 'retain_above_max'],
    rule: (text, { maxRetention }) => parseRetain(text, maxRetention),
    whenMissing: 'config-default',
    job: { via: 'spec', field: 'retain' },
  }),
  interval: pvcLabel({
    suffix: 'interval',
    about: 'hours between backups, a divisor of 24',
    examples: ['6', '12'],
    conditions: ['invalid_interval'],
    rule: (text) => parseInterval(text),
    whenMissing: 'config-default',
    job: { via: 'spec', field: 'cron' },
  }),
  start: pvcLabel({
    suffix: 'start',
    about: 'the first backup of the day, HHMM in UTC',
    examples: ['0130', '2245'],
    conditions: ['invalid_start'],
    rule: (text) => parseStart(text),
    whenMissing: 'config-default',
    job: { via: 'spec', field: 'cron' },
  }),
  fullBackupInterval: pvcLabel({
    suffix: 'full-backup-interval',
    about: 'every Nth backup is a full one (0: never)',
    examples: ['2', '0'],
    conditions: ['invalid_full_backup_interval'],
    rule: (text) => parseFullBackupInterval(text),
    whenMissing: 'config-default',
    job: { via: 'parameter', name: 'full-backup-interval' },
  }),
  concurrency: pvcLabel({
    suffix: 'concurrency',
    about: 'how many volumes the job backs up at the same time',
    examples: ['2', '5'],
    conditions: ['invalid_concurrency'],
    rule: (text) => parseConcurrency(text),
    whenMissing: 'config-default',
    job: { via: 'spec', field: 'concurrency' },
  }),
  archive: pvcLabel({
    suffix: 'archive',
    about: 'true requests an archive (a full backup kept after the PVC is deleted)',
    examples: ['true', 'false'],
    conditions: ['invalid_archive'],
    rule: (text) => parseArchive(text),
    whenMissing: 'optional',
    job: { via: 'label-while-archive-requested' },
  }),
  archiveDeleteAfter: pvcLabel({
    suffix: 'archive-delete-after',
    about: 'YYYY-MM-DD after which the archive may be deleted; required when archive=true',
    examples: ['2030-12-31', '2031-06-30'],
    conditions: ['invalid_archive_delete_after', 'archive_without_delete_after'],
    rule: (text) => parseCalendarDate(text),
    whenMissing: ({ valueOf, keyOf }) =>
      valueOf('archive') === true
        ? {
            condition: 'archive_without_delete_after',
            reason: 'is missing',
            allowed: `${keyOf('archive')}=true needs the date after which the archive may be deleted: use a real date as YYYY-MM-DD`,
            example: '2030-12-31',
          }
        : null,
    job: { via: 'label-while-archive-requested' },
  }),
  policy: policyLabel,
};

const job = {
  managed: {
    suffix: 'managed',
    form: 'label',
    on: ['RecurringJob', 'Snapshot', 'Backup'],
    setBy: 'reconciler',
    about: 'true: this product made the object and may change or delete it',
    desiredJobLabel: true,
  },
  sourceNamespace: {
    suffix: 'source-namespace',
    form: 'label',
    on: ['RecurringJob', 'Snapshot', 'Backup'],
    setBy: 'reconciler',
    about: "the PVC's namespace",
    desiredJobLabel: true,
  },
  sourcePvc: {
    suffix: 'source-pvc',
    form: 'label',
    on: ['RecurringJob', 'Snapshot', 'Backup'],
    setBy: 'reconciler',
    about: "the PVC's name (cut to 54 characters and a hash when longer than 63)",
    desiredJobLabel: true,
  },
  sourcePolicy: {
    suffix: 'source-policy',
    form: 'label',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: "the policy whose schedule the job is (a policy's jobs are shared by its PVCs)",
  },
  orphanedSince: {
    suffix: 'orphaned-since',
    form: 'annotation',
    on: ['RecurringJob', 'Volume'],
    setBy: 'reconciler',
    about:
      'when the PVC (or, on a policy job, the last PVC of the policy) was first seen gone (the orphan grace period counts from it)',
  },
} as const satisfies Record<string, ProductKeyEntry>;

const archive = {
  volume: {
    suffix: 'archive-volume',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: 'the Longhorn Volume being archived (recorded at the start)',
  },
  pvc: {
    suffix: 'archive-pvc',
    form: 'annotation',
    on: ['RecurringJob', 'Snapshot', 'Backup'],
    setBy: 'reconciler',
    about: "the PVC's full name (a label value may be too short for it)",
  },
  pvcUid: {
    suffix: 'archive-pvc-uid',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: "the PVC's uid, which the archive objects' names are derived from",
  },
  attempt: {
    suffix: 'archive-attempt',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: 'the attempt in flight (or the last one), from 1',
  },
  attemptStartedAt: {
    suffix: 'archive-attempt-started-at',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: 'when that attempt started',
  },
  firstAttempt: {
    suffix: 'archive-first-attempt',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: 'the attempt this run of the workflow started at (attempts are capped per run)',
  },
  snapshot: {
    suffix: 'archive-snapshot',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: 'the Snapshot the current attempt backs up (a ready one of an earlier attempt is reused)',
  },
  failedAt: {
    suffix: 'archive-failed-at',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: 'when that attempt was found failed',
  },
  lastError: {
    suffix: 'archive-last-error',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: "why it failed (Longhorn's text)",
  },
  backup: {
    suffix: 'archive-backup',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: 'the completed archive: the Backup',
  },
  backupUrl: {
    suffix: 'archive-backup-url',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: "the completed archive: the backup's URL on the backup target",
  },
  completedAt: {
    suffix: 'archive-completed-at',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: 'the completed archive: when',
  },
  withdrawnAt: {
    suffix: 'archive-withdrawn-at',
    form: 'annotation',
    on: ['RecurringJob'],
    setBy: 'reconciler',
    about: 'the request was withdrawn (the PVC label removed) at this time',
  },
  archiveJob: {
    suffix: 'archive-job',
    form: 'label',
    on: ['Snapshot', 'Backup'],
    setBy: 'reconciler',
    about: 'the job whose archive the Snapshot or Backup is',
  },
} as const satisfies Record<string, ProductKeyEntry>;

const health = {
  state: {
    suffix: 'health',
    form: 'label',
    on: ['RecurringJob', 'Volume'],
    setBy: 'reconciler',
    about:
      'the backup health state of the PVC (healthy, stale, failing, detached, unknown): on its job, or on its Volume for a PVC on a policy',
  },
  summary: {
    suffix: 'health-summary',
    form: 'annotation',
    on: ['RecurringJob', 'Volume'],
    setBy: 'reconciler',
    about: 'the detail of the last health transition, as JSON',
  },
} as const satisfies Record<string, ProductKeyEntry>;

const namespace = {
  defaultEnabled: {
    suffix: 'default-enabled',
    form: 'label',
    on: ['Namespace'],
    setBy: 'user',
    about: 'the enabled value the webhook fills in on new PVCs of the namespace (namespacePolicyLabel)',
  },
  defaultPolicy: {
    suffix: 'default-policy',
    form: 'label',
    on: ['Namespace'],
    setBy: 'user',
    about: 'the policy the webhook fills in on new opted-in PVCs of the namespace that set no schedule label',
  },
} as const satisfies Record<string, ProductKeyEntry>;

/** The table, by group: the user's PVC labels, then the keys the product writes, by purpose. */
export const LABEL_SCHEMA = { pvc, job, archive, health, namespace } as const;

type Schema = typeof LABEL_SCHEMA;
export type LabelGroup = keyof Schema;
export type GroupKeys<G extends LabelGroup> = { readonly [K in keyof Schema[G]]: string };

/** Built keys by group and prefix: decisions ask for them many times per review (a fifth of the webhook's work). */
const builtKeys = new Map<string, Readonly<Record<string, string>>>();
/** The prefixes of one configuration or a few; a bound all the same, as the prefix comes from configuration. */
const MAX_BUILT_KEYS = 64;

/** The full keys of one group, by id, for a label prefix (the same frozen object each time). */
export function groupKeys<G extends LabelGroup>(group: G, prefix: string): GroupKeys<G> {
  const memoKey = `${group} ${prefix}`;
  let keys = builtKeys.get(memoKey);
  if (keys === undefined) {
    const entries = Object.entries(LABEL_SCHEMA[group] as Record<string, { readonly suffix: string }>);
    keys = Object.freeze(Object.fromEntries(entries.map(([id, entry]) => [id, `${prefix}/${entry.suffix}`])));
    if (builtKeys.size >= MAX_BUILT_KEYS) builtKeys.clear();
    builtKeys.set(memoKey, keys);
  }
  return keys as GroupKeys<G>;
}

type PvcLabels = Schema['pvc'];
export type PvcLabelId = keyof PvcLabels;

/** The parsed value type of a PVC label. */
export type PvcLabelValue<K extends PvcLabelId> = Extract<ReturnType<PvcLabels[K]['rule']>, { ok: true }>['value'];

/** The condition codes of the PVC labels. */
export type LabelConditionCode = PvcLabels[PvcLabelId]['conditions'][number];

/** The labels whose absence means the ConfigMap default (the schedule settings). */
export type SettingName = {
  [K in PvcLabelId]: PvcLabels[K]['whenMissing'] extends 'config-default' ? K : never;
}[PvcLabelId];

/** The PVC label entries in table order, typed loosely for walking. */
export const PVC_LABEL_ENTRIES = Object.entries(LABEL_SCHEMA.pvc) as readonly (readonly [
  PvcLabelId,
  PvcLabelEntry<unknown, LabelConditionCode, WhenMissing<LabelConditionCode>, JobMapping>,
])[];
