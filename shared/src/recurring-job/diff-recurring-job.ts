// Stored job vs desired job -> nothing to do, or the minimal JSON merge patch (RFC 7386) that
// fixes it. What Longhorn's mutator fills in counts as equal (empty spec.name -> metadata.name,
// absent groups/labels/parameters -> empty, concurrency 0 -> 10, retain < 1 -> 1 for backup
// tasks), or every pass would rewrite the job. Of the metadata labels only ours count (ownership
// and archive); labels and annotations of others are left alone.

import type { GuardConfig } from '../config/guard-config.ts';
import { groupKeys, LABEL_SCHEMA, PVC_LABEL_ENTRIES } from '../intent/label-schema.ts';
import type { RecurringJob, RecurringJobTask } from '../longhorn/types.ts';
import type { DesiredRecurringJob } from './desired-recurring-job.ts';

type MapPatch = Record<string, string | null>;

export interface RecurringJobMergePatch {
  metadata?: { labels?: MapPatch };
  spec?: {
    name?: string;
    task?: RecurringJobTask;
    cron?: string;
    retain?: number;
    concurrency?: number;
    groups?: string[];
    labels?: MapPatch;
    parameters?: MapPatch;
  };
}

export type RecurringJobDiff =
  | { readonly inSync: true }
  | {
      readonly inSync: false;
      /** One line per differing field, e.g. `spec.retain: 8 -> 14`, for logs and Events. */
      readonly changes: readonly string[];
      /** Send with Content-Type application/merge-patch+json. */
      readonly patch: RecurringJobMergePatch;
    };

const LONGHORN_DEFAULT_CONCURRENCY = 10;
const BACKUP_TASKS: readonly (RecurringJobTask | undefined)[] = ['backup', 'backup-force-create'];

function show(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}

/** The merge patch turning `stored` into `desired` for the keys in `scope`, or null when equal there. */
function mapPatch(
  stored: Readonly<Record<string, string>>,
  desired: Readonly<Record<string, string>>,
  scope: readonly string[],
): MapPatch | null {
  const patch: MapPatch = {};
  for (const key of scope) {
    if (stored[key] !== desired[key]) patch[key] = desired[key] ?? null;
  }
  return Object.keys(patch).length === 0 ? null : patch;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/** The last prefix's owned labels: one configuration's prefix, asked on every job diff. */
let ownedForPrefix: { readonly prefix: string; readonly keys: readonly string[] } | undefined;

/** The job labels this product keeps in line: the schema's desired-job labels and the PVC labels copied to the job. */
export function ownedJobLabels(prefix: string): readonly string[] {
  if (ownedForPrefix?.prefix !== prefix) ownedForPrefix = { prefix, keys: Object.freeze(listOwnedJobLabels(prefix)) };
  return ownedForPrefix.keys;
}

function listOwnedJobLabels(prefix: string): string[] {
  const jobKeys = groupKeys('job', prefix);
  const pvcKeys = groupKeys('pvc', prefix);
  const ownership = Object.entries(LABEL_SCHEMA.job).filter(
    ([, entry]) => 'desiredJobLabel' in entry && entry.desiredJobLabel,
  );
  const copied = PVC_LABEL_ENTRIES.filter(([, entry]) => entry.job.via === 'label-while-archive-requested');
  return [...ownership.map(([id]) => jobKeys[id as keyof typeof jobKeys]), ...copied.map(([id]) => pvcKeys[id])];
}

export function diffRecurringJob(
  stored: RecurringJob,
  desired: DesiredRecurringJob,
  config: GuardConfig,
): RecurringJobDiff {
  const spec = stored.spec ?? {};
  const want = desired.spec;
  const changes: string[] = [];
  const specPatch: NonNullable<RecurringJobMergePatch['spec']> = {};

  /** Compares what Longhorn would hold (`effective`) with the desired value of `field`. */
  function scalar<K extends 'name' | 'task' | 'cron' | 'retain' | 'concurrency'>(
    field: K,
    effective: DesiredRecurringJob['spec'][K] | undefined,
  ): void {
    if (effective === want[field]) return;
    changes.push(`spec.${field}: ${show(effective)} -> ${show(want[field])}`);
    specPatch[field] = want[field];
  }

  scalar('name', spec.name === undefined || spec.name === '' ? stored.metadata.name : spec.name);
  scalar('task', spec.task);
  scalar('cron', spec.cron);
  scalar('retain', BACKUP_TASKS.includes(spec.task) && (spec.retain ?? 0) < 1 ? 1 : spec.retain);
  scalar('concurrency', (spec.concurrency ?? 0) === 0 ? LONGHORN_DEFAULT_CONCURRENCY : spec.concurrency);

  if (!sameSet(spec.groups ?? [], want.groups)) {
    changes.push(`spec.groups: ${show(spec.groups ?? [])} -> ${show(want.groups)}`);
    specPatch.groups = want.groups;
  }
  for (const field of ['labels', 'parameters'] as const) {
    const current = spec[field] ?? {};
    const patch = mapPatch(current, want[field], [...new Set([...Object.keys(current), ...Object.keys(want[field])])]);
    if (patch === null) continue;
    changes.push(`spec.${field}: ${show(current)} -> ${show(want[field])}`);
    specPatch[field] = patch;
  }

  const ours = ownedJobLabels(config.labelPrefix);
  const storedLabels = stored.metadata.labels ?? {};
  const labelPatch = mapPatch(storedLabels, desired.metadata.labels, ours);
  for (const key of Object.keys(labelPatch ?? {})) {
    changes.push(`metadata.labels[${key}]: ${show(storedLabels[key])} -> ${show(desired.metadata.labels[key])}`);
  }

  if (changes.length === 0) return { inSync: true };
  const patch: RecurringJobMergePatch = {};
  if (labelPatch !== null) patch.metadata = { labels: labelPatch };
  if (Object.keys(specPatch).length > 0) patch.spec = specPatch;
  return { inSync: false, changes, patch };
}
