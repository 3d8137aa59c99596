// What a decision asks the executor to do, in order. Each action is one API call; the executor
// stops at the first failure (so "unlabel the volume, then delete the job" never half-happens the
// wrong way round) and records an action's Event only after the call succeeded.

import type { LONGHORN_PLURALS } from '@longhorn-backup-guard/shared/longhorn/api';

export type LonghornPlural = (typeof LONGHORN_PLURALS)[keyof typeof LONGHORN_PLURALS];

/** What an Event is about; `namespace` is where the Event is stored. */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
}

export interface EventSpec {
  readonly involvedObject: InvolvedObject;
  readonly type: 'Normal' | 'Warning';
  /** CamelCase, e.g. BackupJobCreated. */
  readonly reason: string;
  readonly message: string;
}

/** A Longhorn object (namespaced custom resource) or a PVC, by name. */
export type ObjectTarget =
  | { readonly resource: LonghornPlural; readonly namespace: string; readonly name: string }
  | { readonly resource: 'persistentvolumeclaims'; readonly namespace: string; readonly name: string };

export type Action =
  /** Create a Longhorn object (409: someone made it first; requeue and compare). */
  | {
      readonly type: 'create';
      readonly target: ObjectTarget & { readonly resource: LonghornPlural };
      readonly body: object;
      readonly event?: EventSpec;
    }
  /** A JSON merge patch: only the difference, labels set to null are removed. */
  | { readonly type: 'patch'; readonly target: ObjectTarget; readonly patch: object; readonly event?: EventSpec }
  /** Delete a Longhorn object, only if it is still the version decided on (404 = done, 409 = requeue). */
  | {
      readonly type: 'delete';
      readonly target: ObjectTarget & { readonly resource: LonghornPlural };
      readonly resourceVersion?: string;
      readonly event?: EventSpec;
    }
  /** Record an Event that belongs to no write (a violation, waiting for the volume). */
  | { readonly type: 'event'; readonly event: EventSpec };
