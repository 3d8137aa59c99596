// Runs a decision's actions in order, one API call each, each after the write rate limiter.
// - create answering 409: someone made it first; stop and requeue (the next pass compares).
// - patch or delete answering 409 (a delete precondition failed) or 404 on patch: the cache was
//   behind; stop and requeue. 404 on delete: already done.
// - any other error: thrown, so the work queue retries the key with backoff; a refusal (another
//   4xx, e.g. an admission webhook or a schema error) is also recorded as a Warning Event first.
// The rest of the actions were decided on the same state, so they wait for the next pass.
// An action's Event is recorded only once its write has succeeded; the Events of a reconcile's
// writes on one object are recorded together, as one story, once its writes are done (event-story.ts).
// Each write is admitted by the leader fence right before it goes out (fence(): throws when this
// replica is not the leader; its signal aborts the request when leadership ends). A 429, or any
// answer with Retry-After, pauses every write of the reconciler (onThrottled) for that long.

import { apiStatusCode, isConflict, isNotFound, retryAfterMs } from '@longhorn-backup-guard/shared/kube/api-errors';
import { objectPath, resourcePath, type ResourceRef } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { KubeClient } from '@longhorn-backup-guard/shared/kube/kube-client';
import { LONGHORN_GROUP, LONGHORN_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import type { Action, EventSpec } from '../model/actions.ts';
import type { EventRecorder } from '../events/event-recorder.ts';
import { asOneStory } from '../events/event-story.ts';
import { refusedWriteEvent } from './refused-write.ts';
import type { WriteCounter } from './write-counter.ts';
import type { WrittenVersions } from './written-versions.ts';

/** Who wrote a field, in every object's managedFields. */
export const FIELD_MANAGER = 'longhorn-backup-guard-reconciler';

export interface ExecutorDeps {
  readonly client: KubeClient;
  readonly events: EventRecorder;
  readonly writes: WriteCounter;
  /** Where each create and patch records the resourceVersion it left its object at. */
  readonly written?: WrittenVersions;
  /** The write rate limiter: resolves when the next write may go. */
  readonly beforeWrite: () => Promise<void>;
  /** The leader fence: throws unless this replica leads; the signal the write carries. */
  readonly fence?: () => AbortSignal;
  /** The apiserver sheds load (429 or Retry-After): hold every write off for this long. */
  readonly onThrottled?: (pauseMs: number) => void;
}

/** A 429 without Retry-After pauses the writer this long. */
const DEFAULT_THROTTLE_PAUSE_MS = 1_000;

/** How long the apiserver asked to be left alone, if it did: a 429, or any answer with Retry-After. */
export function throttlePause(error: unknown): number | undefined {
  const asked = retryAfterMs(error);
  if (apiStatusCode(error) === 429) return asked ?? DEFAULT_THROTTLE_PAUSE_MS;
  return asked;
}

export interface Execution {
  /** How many writes succeeded. */
  readonly written: number;
  /** A write met a newer state than the cache's: reconcile the key again. */
  readonly requeue: boolean;
}

/** A Longhorn collection in a namespace. */
const longhorn = (namespace: string, plural: string): ResourceRef => ({
  group: LONGHORN_GROUP,
  version: LONGHORN_VERSION,
  namespace,
  plural,
});

/** The written object as the apiserver answered it (create, patch): what the executor reads of it. */
type Answer = { readonly metadata?: { readonly resourceVersion?: string } } | undefined;

async function write(action: Exclude<Action, { type: 'event' }>, deps: ExecutorDeps): Promise<void> {
  const { target } = action;
  await deps.beforeWrite();
  const signal = deps.fence?.();
  const fieldManager = { fieldManager: FIELD_MANAGER };
  let answer: Answer | undefined;
  if (action.type === 'create') {
    ({ body: answer } = await deps.client.request<Answer>({
      method: 'POST',
      path: resourcePath(longhorn(target.namespace, target.resource)),
      query: fieldManager,
      body: action.body,
      signal,
    }));
  } else if (action.type === 'delete') {
    const preconditions =
      action.resourceVersion === undefined ? {} : { preconditions: { resourceVersion: action.resourceVersion } };
    await deps.client.request({
      method: 'DELETE',
      path: objectPath(longhorn(target.namespace, target.resource), target.name),
      body: preconditions,
      signal,
    });
  } else {
    const collection: ResourceRef =
      target.resource === 'persistentvolumeclaims'
        ? { version: 'v1', namespace: target.namespace, plural: 'persistentvolumeclaims' }
        : longhorn(target.namespace, target.resource);
    ({ body: answer } = await deps.client.request<Answer>({
      method: 'PATCH',
      path: objectPath(collection, target.name),
      query: fieldManager,
      body: action.patch,
      patch: 'merge',
      signal,
    }));
  }
  deps.writes.count(target.resource, action.type);
  if (action.type === 'delete') deps.written?.deleted(target);
  else deps.written?.wrote(target, answer?.metadata?.resourceVersion);
}

export async function executeActions(actions: readonly Action[], deps: ExecutorDeps): Promise<Execution> {
  const written: EventSpec[] = [];
  try {
    return await executeInOrder(actions, deps, written);
  } finally {
    for (const event of asOneStory(written)) await deps.events.record(event);
  }
}

/** Runs the actions; the Events of the writes that succeeded are collected in `written`. */
async function executeInOrder(
  actions: readonly Action[],
  deps: ExecutorDeps,
  written: EventSpec[],
): Promise<Execution> {
  let writes = 0;
  for (const action of actions) {
    if (action.type === 'event') {
      await deps.events.record(action.event);
      continue;
    }
    try {
      await write(action, deps);
      writes++;
    } catch (error) {
      const pause = throttlePause(error);
      if (pause !== undefined) deps.onThrottled?.(pause);
      if (action.type === 'delete' && isNotFound(error)) continue;
      if (isConflict(error) || (action.type === 'patch' && isNotFound(error)))
        return { written: writes, requeue: true };
      const refusal = refusedWriteEvent(action, error);
      if (refusal !== undefined) await deps.events.record(refusal);
      throw error;
    }
    if (action.event !== undefined) written.push(action.event);
  }
  return { written: writes, requeue: false };
}
