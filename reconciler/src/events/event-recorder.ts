// Records core/v1 Events. core/v1 rather than events.k8s.io/v1: the same objects either way, but
// core/v1 is what `kubectl describe` and `kubectl get events` read by field name (firstTimestamp,
// lastTimestamp, count) on every Kubernetes version, with no series bookkeeping to get right.
// Events are best effort: a failure is logged, never retried, and never fails a reconcile. The
// correlator decides which Events are worth a write (seen, aggregated, spam: event-correlator.ts).
// Sent beside the reconcile, as client-go's EventBroadcaster does: record() decides, stamps the
// time and queues; EVENT_SENDERS creates go out at a time (background-queue.ts). A reconcile then
// waits for its own writes only (adopting a PVC was 3 round trips in a row, now 2); a full queue
// makes record() wait, so nothing is dropped and memory stays bounded.

import type { CoreV1Event } from '@kubernetes/client-node';
import { describeApiError, isAlreadyExists } from '@longhorn-backup-guard/shared/kube/api-errors';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { KubeClient } from '@longhorn-backup-guard/shared/kube/kube-client';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { EventSpec } from '../model/actions.ts';
import { BackgroundQueue } from '../machinery/background-queue.ts';
import { EventCorrelator, type CorrelatorOptions } from './event-correlator.ts';
import { eventName } from './event-name.ts';

export const REPORTING_COMPONENT = 'longhorn-backup-guard/reconciler';

/** Events are cut here, as events.k8s.io limits a note to 1 kB. */
const MESSAGE_MAX = 1024;
/** Event creates in flight at a time, and Events waiting at most (client-go's broadcaster queues 1,000). */
const EVENT_SENDERS = 2;
const EVENT_QUEUE_CAPACITY = 1_000;

interface QueuedEvent {
  /** The name the correlator knows it by (remembered once the apiserver has it). */
  readonly asked: string;
  readonly namespace: string;
  readonly body: CoreV1Event;
}

export interface EventRecorderOptions {
  readonly client: KubeClient;
  /** This replica (POD_NAME), as reportingInstance. */
  readonly instance: string;
  readonly log: Logger;
  /** Called before each create: the write rate limiter. */
  readonly beforeWrite: () => Promise<void>;
  /** Called after each create the apiserver accepted. */
  readonly onWrite?: () => void;
  /** Seen, aggregation and spam-filter settings (rememberMs below the apiserver's 1 h event TTL). */
  readonly correlation?: CorrelatorOptions;
  /** Milliseconds now (the correlator's clock); default Date.now. */
  readonly nowMs?: () => number;
}

export class EventRecorder {
  readonly #options: EventRecorderOptions;
  readonly #correlator: EventCorrelator;
  readonly #queue: BackgroundQueue<QueuedEvent>;
  /** Names queued or being sent: the same Event recorded again meanwhile is not queued twice. */
  readonly #pending = new Set<string>();

  constructor(options: EventRecorderOptions) {
    this.#options = options;
    this.#correlator = new EventCorrelator(options.correlation);
    this.#queue = new BackgroundQueue({
      concurrency: EVENT_SENDERS,
      capacity: EVENT_QUEUE_CAPACITY,
      task: (queued) => this.#send(queued),
      onError: (error, queued) =>
        this.#options.log.warn({ event: queued.body.metadata?.name, err: describeApiError(error) }, 'Event not sent'),
    });
  }

  /** Decides whether `spec` is worth a write and queues it; resolves once queued (the create follows). */
  async record(spec: EventSpec): Promise<void> {
    const nowMs = this.#options.nowMs ?? Date.now;
    const asked = eventName(spec);
    if (this.#pending.has(asked)) return;
    const verdict = this.#correlator.decide(spec, asked, nowMs());
    if (!verdict.write) {
      if (verdict.why !== 'seen')
        this.#options.log.debug({ event: asked, reason: spec.reason, why: verdict.why }, 'Event not written');
      return;
    }
    const { event } = verdict;
    const name = event === spec ? asked : eventName(event);
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
    this.#pending.add(asked);
    await this.#queue.add({ asked, namespace: involvedObject.namespace, body });
  }

  /** Resolves once every queued Event has been sent (or has failed). */
  whenSent(): Promise<void> {
    return this.#queue.whenDrained();
  }

  async #send({ asked, namespace, body }: QueuedEvent): Promise<void> {
    try {
      await this.#options.beforeWrite();
      // Dates go out as toISOString(), as client-node's serializer wrote them.
      const events = resourcePath({ version: 'v1', namespace: namespace, plural: 'events' });
      await this.#options.client.request({ method: 'POST', path: events, body });
      this.#options.onWrite?.();
    } catch (error) {
      if (!isAlreadyExists(error)) {
        this.#options.log.warn(
          { event: body.metadata?.name, reason: body.reason, err: describeApiError(error) },
          'could not record an Event',
        );
        return;
      }
    } finally {
      this.#pending.delete(asked);
    }
    this.#correlator.remember(asked, (this.#options.nowMs ?? Date.now)());
  }
}
