// One write per object a reconcile creates: a later patch of the same reconcile on an object it
// creates (backup health recording its first state on a new job) goes into the create's body
// instead of following it as a second write. Pure.

import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import type { Action, ObjectTarget } from './actions.ts';
import { formatRfc3339 } from './rfc3339.ts';

function sameTarget(a: ObjectTarget, b: ObjectTarget): boolean {
  return a.resource === b.resource && a.namespace === b.namespace && a.name === b.name;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7386: `patch` applied to `target` (null removes a field, an object merges, anything else replaces). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete result[field];
    else result[field] = applyMergePatch(result[field], value);
  }
  return result;
}

/**
 * The RecurringJobs `actions` create, as they will be stored (created at `now`): what a decision
 * taken after them (backup health) reads for a job that does not exist yet.
 */
export function jobsCreatedBy(actions: readonly Action[], now: Date): ReadonlyMap<string, RecurringJob> {
  const created = new Map<string, RecurringJob>();
  for (const action of actions) {
    if (action.type !== 'create' || action.target.resource !== 'recurringjobs') continue;
    const body = action.body as RecurringJob;
    created.set(action.target.name, { ...body, metadata: { ...body.metadata, creationTimestamp: formatRfc3339(now) } });
  }
  return created;
}

/**
 * Each patch of an object an earlier action creates, merged into that create's body; the patch's
 * Event follows the create as an Event of its own (recorded only if the create succeeded, as the
 * executor stops at the first failure).
 */
export function foldIntoCreates(actions: readonly Action[]): Action[] {
  const folded: Action[] = [];
  for (const action of actions) {
    const at =
      action.type === 'patch'
        ? folded.findIndex((earlier) => earlier.type === 'create' && sameTarget(earlier.target, action.target))
        : -1;
    const create = folded[at];
    if (action.type !== 'patch' || create?.type !== 'create') {
      folded.push(action);
      continue;
    }
    folded[at] = { ...create, body: applyMergePatch(create.body, action.patch) as object };
    if (action.event !== undefined) folded.splice(at + 1, 0, { type: 'event', event: action.event });
  }
  return folded;
}
