// One admission request from parsed body to answer: read the review, take a context snapshot,
// decide. HTTP concerns (content types, body size, status codes on the wire) stay in the server.
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import {
  readAdmissionReview,
  reviewOf,
  type AdmissionReviewResponse,
  type OperationLabel,
} from '../admission/admission-review.ts';
import { resultOf } from '../admission/review-response.ts';
import type { AdmissionContext } from '../decide/admission-context.ts';
import { decide, type WebhookKind } from '../decide/decide-admission.ts';
import type { RequestResult } from './admission-metrics.ts';

export interface Readiness {
  readonly ready: boolean;
  readonly reason?: string;
}

export interface AdmissionDependencies {
  readonly readiness: () => Readiness;
  /** The decision's snapshot; a promise only when something must be read from the API first. */
  readonly contextFor: (namespace: string) => AdmissionContext | Promise<AdmissionContext>;
  readonly log: Logger;
}

/** What the request is about, for the metrics and the one log line per request. */
export interface AdmissionSummary {
  readonly operation: OperationLabel;
  readonly result: RequestResult;
  readonly uid?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export type AdmissionAnswer =
  | { readonly statusCode: 200; readonly review: AdmissionReviewResponse; readonly summary: AdmissionSummary }
  | { readonly statusCode: 400 | 500 | 503; readonly message: string; readonly summary: AdmissionSummary };

/**
 * Synchronous when the context is (a cached namespace: nearly every review), so the common answer
 * waits for no promise; a promise when the namespace's labels must be read first.
 */
export function handleAdmission(
  webhook: WebhookKind,
  body: unknown,
  dependencies: AdmissionDependencies,
): AdmissionAnswer | Promise<AdmissionAnswer> {
  const read = readAdmissionReview(body);
  if (!read.ok)
    return {
      statusCode: 400,
      message: `not a valid AdmissionReview for a PVC: ${read.message}`,
      summary: { operation: read.operation, result: 'bad_request' },
    };
  const { uid, operation, namespace, name } = read.request;
  const about = { uid, operation, namespace, name };
  // Not ready means caches not synced: an answer now could miss a duplicate. A 503 lets the
  // apiserver apply the failurePolicy (Ignore: admitted; the reconciler reports what slips through).
  const readiness = dependencies.readiness();
  if (!readiness.ready)
    return {
      statusCode: 503,
      message: `not ready: ${readiness.reason ?? 'starting'}`,
      summary: { ...about, result: 'error' },
    };
  const failed = (error: unknown): AdmissionAnswer => {
    dependencies.log.error({ err: error, webhook, ...about }, 'admission decision failed');
    return {
      statusCode: 500,
      message: 'the webhook failed to decide; see its log',
      summary: { ...about, result: 'error' },
    };
  };
  const answer = (context: AdmissionContext): AdmissionAnswer => {
    const review = reviewOf(decide(webhook, read.request, context));
    return { statusCode: 200, review, summary: { ...about, result: resultOf(review.response) } };
  };
  try {
    const context = dependencies.contextFor(namespace);
    if (!(context instanceof Promise)) return answer(context);
    return context.then(answer).catch(failed);
  } catch (error) {
    return failed(error);
  }
}
