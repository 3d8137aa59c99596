// An open-loop stream of PVC creates through the real apiserver (and so through the webhook): one
// every 1/rate seconds whatever the answers take, so a stall shows as failed or late admissions
// rather than as a slower stream. Each answer is judged: the PVC came back with the labels the
// webhook must have set, or it names what went wrong.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { apiStatusCode, describeApiError } from '@longhorn-backup-guard/shared/kube/api-errors';
import { pvcBody } from './webhook-support.ts';

export interface AdmissionOutcome {
  readonly name: string;
  /** When it was sent, in ms since the stream started. */
  readonly sentAtMs: number;
  readonly latencyMs: number;
  /** 'admitted' (with the expected labels), or what went wrong. */
  readonly result: string;
}

export interface StreamOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly storageClassName: string;
  readonly perSecond: number;
  /** PVC names are `<prefix>-<n>`. */
  readonly prefix: string;
  /** Validate and mutate only (nothing is stored): for high rates. */
  readonly dryRun: boolean;
  /** The labels the webhook must have given PVC `name` (which is created without labels). */
  readonly expectedLabels: (name: string) => Record<string, string>;
}

export interface AdmissionStream {
  /** Stops sending and resolves with every outcome once the last answer is in. */
  stop(): Promise<AdmissionOutcome[]>;
}

export function startAdmissionStream(options: StreamOptions): AdmissionStream {
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const started = performance.now();
  const pending: Promise<AdmissionOutcome>[] = [];
  const send = async (name: string): Promise<AdmissionOutcome> => {
    const sentAt = performance.now();
    const result = await core
      .createNamespacedPersistentVolumeClaim({
        namespace: options.namespace,
        ...(options.dryRun ? { dryRun: 'All' } : {}),
        body: pvcBody(name, {}, options.storageClassName),
      })
      .then(
        (pvc) => {
          const labels = pvc.metadata?.labels ?? {};
          const wrong = Object.entries(options.expectedLabels(name)).filter(([key, value]) => labels[key] !== value);
          return wrong.length === 0 ? 'admitted' : `wrong labels: ${JSON.stringify(labels)}`;
        },
        (error: unknown) => describeFailure(error),
      );
    return { name, sentAtMs: sentAt - started, latencyMs: performance.now() - sentAt, result };
  };
  let sent = 0;
  // A late timer (a busy event loop) sends what is due at once: the rate holds over time.
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * options.perSecond) / 1_000);
    while (sent < due) pending.push(send(`${options.prefix}-${sent++}`));
  }, 1_000 / options.perSecond);
  return {
    async stop() {
      clearInterval(timer);
      return Promise.all(pending);
    },
  };
}

/** The apiserver's answer, or, when none came (`fetch failed`), what the client met on the way. */
function describeFailure(error: unknown): string {
  if (apiStatusCode(error) !== undefined || !(error instanceof Error)) return describeApiError(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  return `${NO_ANSWER}: ${error.message} (${typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : 'no cause'})`;
}

/** The prefix of a failure without an answer from the apiserver (the client's side). */
export const NO_ANSWER = 'no answer';

/** The outcomes that are not 'admitted', as `name: result` lines. */
export function failedAdmissions(outcomes: readonly AdmissionOutcome[]): string[] {
  return outcomes.filter((outcome) => outcome.result !== 'admitted').map((o) => `${o.name}: ${o.result}`);
}
