// A write the apiserver refuses for good (an admission webhook or policy such as Longhorn's, a
// schema error, RBAC) would otherwise only show in the reconciler's log while the key retries with
// backoff. It becomes a Warning Event with the API's message on the action's Event target (the
// written object when the action has none); the message is stable, so retries do not repeat it.
// 404 and 409 mean the cache was behind (the executor requeues), 429 is throttling: not refusals.

import { apiStatusCode, describeApiError } from '@longhorn-backup-guard/shared/kube/api-errors';
import { LONGHORN_API_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import type { Action, EventSpec, InvolvedObject, ObjectTarget } from '../model/actions.ts';
import { EVENT_REASONS } from '../model/event-reasons.ts';

type Write = Exclude<Action, { type: 'event' }>;

const KINDS: Record<ObjectTarget['resource'], string> = {
  persistentvolumeclaims: 'PersistentVolumeClaim',
  recurringjobs: 'RecurringJob',
  volumes: 'Volume',
  snapshots: 'Snapshot',
  backups: 'Backup',
  backupvolumes: 'BackupVolume',
  backuptargets: 'BackupTarget',
  settings: 'Setting',
};

export function isRefusal(error: unknown): boolean {
  const code = apiStatusCode(error);
  return code !== undefined && code >= 400 && code < 500 && code !== 404 && code !== 409 && code !== 429;
}

function writtenObject(target: ObjectTarget): InvolvedObject {
  const apiVersion = target.resource === 'persistentvolumeclaims' ? 'v1' : LONGHORN_API_VERSION;
  return { apiVersion, kind: KINDS[target.resource], namespace: target.namespace, name: target.name };
}

/** The Warning Event for `error` answering `action`, or undefined when it is no refusal. */
export function refusedWriteEvent(action: Write, error: unknown): EventSpec | undefined {
  if (!isRefusal(error)) return undefined;
  const { target } = action;
  const message = `the apiserver refused to ${action.type} ${KINDS[target.resource]} ${target.namespace}/${target.name}: ${describeApiError(error)}. Retried with backoff until it is accepted`;
  return {
    involvedObject: action.event?.involvedObject ?? writtenObject(target),
    type: 'Warning',
    reason: EVENT_REASONS.writeRefused,
    message,
  };
}
