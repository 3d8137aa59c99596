// Records core/v1 Events. core/v1 rather than events.k8s.io/v1: the same objects either way, but
// core/v1 is what `kubectl describe` and `kubectl get events` read by field name (firstTimestamp,
// lastTimestamp, count) on every Kubernetes version, with no series bookkeeping to get right.
// Events are best effort: a failure is logged, never retried, and never fails a reconcile.

import type { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';
import { describeApiError, isAlreadyExists } from '@longhorn-backup-guard/shared/kube/api-errors';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { EventSpec } from '../model/actions.ts';
import { eventName } from './event-name.ts';

export const REPORTING_COMPONENT = 'longhorn-backup-guard/reconciler';

/** Events are cut here, as events.k8s.io limits a note to 1 kB. */
const MESSAGE_MAX = 1024;

export interface EventRecorderOptions {
  readonly core: CoreV1Api;
  /** This replica (POD_NAME), as reportingInstance. */
  readonly instance: string;
  readonly log: Logger;
  /** Called before each create: the write rate limiter. */
  readonly beforeWrite: () => Promise<void>;
  /** Called after each create the apiserver accepted. */
  readonly onWrite?: () => void;
  /** How long an Event recorded here is not even attempted again (below the apiserver's 1 h event TTL). */
  readonly rememberMs?: number;
}

export class EventRecorder {
  readonly #options: EventRecorderOptions;
  readonly #recorded = new Map<string, number>();

  constructor(options: EventRecorderOptions) {
    this.#options = options;
  }

  async record(event: EventSpec): Promise<void> {
    const name = eventName(event);
    const now = Date.now();
    const until = this.#recorded.get(name);
    if (until !== undefined && until > now) return;
    this.#forgetExpired(now);
    const { involvedObject } = event;
    const time = new Date();
    const body: CoreV1Event = {
      metadata: { name, namespace: involvedObject.namespace },
      involvedObject: { ...involvedObject },
      type: event.type,
      reason: event.reason,
      message: event.message.length > MESSAGE_MAX ? `${event.message.slice(0, MESSAGE_MAX - 1)}…` : event.message,
      source: { component: REPORTING_COMPONENT },
      reportingComponent: REPORTING_COMPONENT,
      reportingInstance: this.#options.instance,
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    };
    try {
      await this.#options.beforeWrite();
      await this.#options.core.createNamespacedEvent({ namespace: involvedObject.namespace, body });
      this.#options.onWrite?.();
    } catch (error) {
      if (!isAlreadyExists(error)) {
        this.#options.log.warn({ event: name, reason: event.reason, err: describeApiError(error) }, 'could not record an Event');
        return;
      }
    }
    this.#recorded.set(name, now + (this.#options.rememberMs ?? 30 * 60_000));
  }

  #forgetExpired(now: number): void {
    if (this.#recorded.size < 10_000) return;
    for (const [name, until] of this.#recorded) if (until <= now) this.#recorded.delete(name);
  }
}
