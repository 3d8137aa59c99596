// POST /mutate and /validate on Node's own request and response, from the first header to the answer:
// the Content-Type and size checks, the body (within the shared budget of bytes in flight), the
// parse, the decision, the answer, its metrics. The rest of the server (health, 404s) is fastify's.
// Why not a fastify route: on the hot path fastify's per-request machinery (request and reply
// objects, routing, hooks, the content-type parser, the serializer) was the largest part of what
// the webhook cost beyond bare fastify in a profile over HTTPS, with nothing of ours above 3 µs,
// and the throughput target (0.7x bare fastify) was not reachable with it (BENCHMARKS.md).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import secureJson from 'secure-json-parse';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { WebhookKind } from '../decide/decide-admission.ts';
import { MAX_JSON_DEPTH, reviewTextToParse } from '../admission/review-text.ts';
import type { AdmissionMetrics } from './admission-metrics.ts';
import type { BodyBudget } from './body-budget.ts';
import {
  handleAdmission,
  type AdmissionAnswer,
  type AdmissionDependencies,
  type AdmissionSummary,
} from './handle-admission.ts';

/**
 * A review carries object and oldObject. etcd stores an object of at most 1.5 MiB, so a review of a
 * PVC that can be stored (UPDATE: both objects, JSON a little larger than etcd's protobuf) stays
 * under 4 MiB; a larger CREATE could not be stored anyway. controller-runtime allows 7 MiB, but
 * one 7 MiB review of labels alone took the webhook past its 256 MiB memory limit (BENCHMARKS.md).
 */
export const ADMISSION_BODY_LIMIT = 4 * 1024 * 1024;

const TOO_LARGE = `the body is larger than the limit of ${ADMISSION_BODY_LIMIT} bytes (${ADMISSION_BODY_LIMIT / 2 ** 20} MiB): a review of a PVC etcd can store (at most 1.5 MiB) is smaller`;
const TOO_DEEP = `the body nests deeper than ${MAX_JSON_DEPTH} levels: an AdmissionReview of a PVC needs about 12`;
// Prototype keys are dropped, not refused: a label `__proto__` (invalid, but labels are validated
// after mutating admission) reaches /mutate in a real review, which is answered like any other.
const PARSE_OPTIONS = { protoAction: 'remove', constructorAction: 'remove' } as const;

export interface AdmissionEndpointOptions {
  readonly metrics: AdmissionMetrics;
  readonly dependencies: AdmissionDependencies;
  readonly logger: Logger;
  readonly bodyBudget: BodyBudget;
  /** True once the server is stopping: answers then end their connection. */
  readonly closing: () => boolean;
}

export type AdmissionEndpoint = (webhook: WebhookKind, request: IncomingMessage, response: ServerResponse) => void;

type Refusal = { readonly statusCode: 400 | 413 | 415; readonly message: string };

/** application/json, parameters (a charset) allowed; anything else is no AdmissionReview. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const mediaType = semicolon === -1 ? contentType : contentType.slice(0, semicolon);
  return mediaType.trim().toLowerCase() === 'application/json';
}

/** What the headers alone refuse, before a byte of the body is read. */
function refusedByHeaders(headers: IncomingHttpHeaders): Refusal | undefined {
  if (!isJson(headers['content-type']))
    return {
      statusCode: 415,
      message: `Content-Type must be application/json (an AdmissionReview), got ${JSON.stringify(headers['content-type'] ?? '')}`,
    };
  const length = headers['content-length'];
  if (length !== undefined && Number(length) > ADMISSION_BODY_LIMIT) return { statusCode: 413, message: TOO_LARGE };
  return undefined;
}

/** The review in the body: depth checked; managedFields left out of a review with many brackets (review-text.ts). */
function parseReview(text: string): { readonly body: unknown } | Refusal {
  if (text.length === 0) return { statusCode: 400, message: 'the body is empty: expected an AdmissionReview' };
  const toParse = reviewTextToParse(text, MAX_JSON_DEPTH);
  if (toParse === undefined) return { statusCode: 400, message: TOO_DEEP };
  try {
    return { body: secureJson.parse(toParse, undefined, PARSE_OPTIONS) };
  } catch {
    return { statusCode: 400, message: 'the body is not valid JSON: expected an AdmissionReview' };
  }
}

/** What a request's body reserves: its Content-Length, or the body limit when it does not say. */
function declaredBodyBytes(headers: IncomingHttpHeaders): number {
  const length = headers['content-length'];
  return length !== undefined && /^[0-9]+$/.test(length) ? Number(length) : ADMISSION_BODY_LIMIT;
}

function sendJson(response: ServerResponse, statusCode: number, payload: unknown, close: boolean): void {
  const text = JSON.stringify(payload);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  };
  if (close) headers.connection = 'close';
  response.writeHead(statusCode, headers).end(text);
}

export function createAdmissionEndpoint(options: AdmissionEndpointOptions): AdmissionEndpoint {
  const { metrics, dependencies, logger, bodyBudget, closing } = options;
  let requests = 0;

  return (webhook, request, response) => {
    const started = performance.now();
    const requestNumber = ++requests;
    // Named only when a line is written (an error, or debug level).
    const requestId = () => `req-${requestNumber.toString(36)}`;
    let summary: AdmissionSummary | undefined;

    const answer = (statusCode: number, payload: unknown, result: AdmissionSummary, close = false): void => {
      summary = result;
      sendJson(response, statusCode, payload, close || closing());
    };
    /** Every answer but a review: a JSON message. */
    const answerMessage = (statusCode: number, message: string, result: AdmissionSummary, close = false): void =>
      answer(statusCode, { statusCode, message }, result, close);
    const refuse = (refusal: Refusal, close: boolean): void =>
      answerMessage(refusal.statusCode, refusal.message, { operation: 'unknown', result: 'bad_request' }, close);
    const settle = (settled: AdmissionAnswer): void => {
      if (settled.statusCode === 200) answer(200, settled.review, settled.summary);
      else answerMessage(settled.statusCode, settled.message, settled.summary);
    };
    const fail = (error: unknown): void => {
      logger.error({ err: error, reqId: requestId(), webhook }, 'request failed');
      // Failed while answering: the answer cannot be replaced, only cut short.
      if (response.headersSent) {
        response.destroy();
        return;
      }
      answerMessage(500, 'internal error; see the webhook log', { operation: 'unknown', result: 'error' });
    };

    /** Counted once answered (not when the client left first); at debug level one line each. */
    const answered = (): void => {
      // Every answer goes through answer(), which sets the summary first.
      const outcome = summary;
      if (outcome === undefined || !response.writableEnded) return;
      const ms = performance.now() - started;
      metrics.observe(webhook, outcome.operation, outcome.result, ms / 1000);
      // Every admission is counted in admission_requests_total and recorded by the apiserver's
      // audit log; a line per admission is debug (LOG_LEVEL=debug), as in controller-runtime. At
      // info it cost about a tenth of a busy webhook's CPU (serialization and redaction).
      if (logger.isLevelEnabled('debug'))
        logger.debug(
          { reqId: requestId(), webhook, ...outcome, statusCode: response.statusCode, ms: Math.round(ms * 100) / 100 },
          'admission',
        );
    };

    const decide = (text: string): void => {
      const parsed = parseReview(text);
      if ('statusCode' in parsed) {
        refuse(parsed, false);
        return;
      }
      const settled = handleAdmission(webhook, parsed.body, dependencies);
      if (settled instanceof Promise) settled.then(settle).catch(fail);
      else settle(settled);
    };

    /** Reads the body (a chunked one up to the limit), then decides. */
    const readBody = (): void => {
      const chunks: Buffer[] = [];
      let received = 0;
      let tooLarge = false;
      request.on('data', (chunk: Buffer) => {
        if (tooLarge) return;
        received += chunk.length;
        if (received > ADMISSION_BODY_LIMIT) {
          tooLarge = true;
          chunks.length = 0;
          // The rest of the body is not read: the connection ends with the answer.
          refuse({ statusCode: 413, message: TOO_LARGE }, true);
          return;
        }
        chunks.push(chunk);
      });
      request.on('end', () => {
        if (tooLarge) return;
        try {
          const only = chunks.length === 1 ? chunks[0] : undefined;
          decide((only ?? Buffer.concat(chunks, received)).toString('utf8'));
        } catch (error) {
          fail(error);
        }
      });
      // A client that leaves mid-body gets no answer; its bytes go back when the response closes.
      request.on('error', () => undefined);
    };

    // The body's bytes are given back, and the answer counted, when the response closes.
    let release: (() => void) | undefined;
    let closed = false;
    response.once('close', () => {
      closed = true;
      release?.();
      answered();
    });

    const refusal = refusedByHeaders(request.headers);
    if (refusal !== undefined) {
      // The body is not read: the client may still be sending it, so the connection ends here.
      refuse(refusal, true);
      return;
    }
    // The body's bytes are reserved before a byte of it is read. A callback, not a promise: nearly
    // every request fits at once.
    const bytes = declaredBodyBytes(request.headers);
    release = bodyBudget.tryReserve(bytes) ?? undefined;
    if (release !== undefined) {
      readBody();
      return;
    }
    void bodyBudget.reserve(bytes).then((granted) => {
      // A client that left while waiting gives the bytes back at once.
      if (closed) {
        granted();
        return;
      }
      release = granted;
      readBody();
    });
  };
}
