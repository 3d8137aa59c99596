// admission_requests_total{webhook,operation,result} and
// admission_request_duration_seconds{webhook,operation}.
import { Counter, Histogram, type Registry } from 'prom-client';
import { OPERATIONS, type OperationLabel } from '../admission/admission-review.ts';
import type { AdmissionResult } from '../admission/review-response.ts';
import type { WebhookKind } from '../decide/decide-admission.ts';

/** What one request came to: a decision, a refused body, or a failure on our side. */
export type RequestResult = AdmissionResult | 'error' | 'bad_request';

const WEBHOOKS: readonly WebhookKind[] = ['mutate', 'validate'];
const RESULTS: readonly RequestResult[] = ['allowed', 'denied', 'patched', 'error', 'bad_request'];

export interface AdmissionMetrics {
  observe(webhook: WebhookKind, operation: OperationLabel, result: RequestResult, seconds: number): void;
}

export function createAdmissionMetrics(registry: Registry): AdmissionMetrics {
  const requests = new Counter({
    name: 'admission_requests_total',
    help: 'PVC admission requests by webhook, operation and result (allowed, denied, patched, error, bad_request).',
    labelNames: ['webhook', 'operation', 'result'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'admission_request_duration_seconds',
    help: 'Time from receiving a PVC admission request to sending the answer.',
    labelNames: ['webhook', 'operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Every series exists from the start, so rate() and alerts see zeros instead of nothing.
  for (const webhook of WEBHOOKS) {
    for (const operation of [...OPERATIONS, 'unknown' as const]) {
      for (const result of RESULTS) requests.inc({ webhook, operation, result }, 0);
    }
  }
  // The series of each label combination (a few dozen), looked up once: prom-client hashes the
  // labels on every inc() and observe() given them.
  const series = new Map<
    string,
    { readonly count: ReturnType<typeof requests.labels>; readonly time: ReturnType<typeof duration.labels> }
  >();
  return {
    observe(webhook, operation, result, seconds) {
      const key = `${webhook} ${operation} ${result}`;
      let one = series.get(key);
      if (one === undefined) {
        one = { count: requests.labels({ webhook, operation, result }), time: duration.labels({ webhook, operation }) };
        series.set(key, one);
      }
      one.count.inc();
      one.time.observe(seconds);
    },
  };
}
