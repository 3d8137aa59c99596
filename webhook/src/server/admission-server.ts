// The HTTPS server the apiserver calls: POST /mutate and /validate (AdmissionReview v1, JSON,
// at most 4 MiB), GET /healthz and /readyz. A body that is not a review gets a 4xx with a JSON
// message; a failure on our side a 5xx (the apiserver then applies the failurePolicy). What one
// client may cost (time, connections, memory for bodies) is bounded by the ServerLimits.
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { WebhookKind } from '../decide/decide-admission.ts';
import { MAX_JSON_DEPTH, scanReviewText, withoutManagedFields } from '../admission/review-text.ts';
import type { AdmissionMetrics } from './admission-metrics.ts';
import { createBodyBudget, type BodyBudget } from './body-budget.ts';
import {
  handleAdmission,
  type AdmissionAnswer,
  type AdmissionDependencies,
  type AdmissionSummary,
} from './handle-admission.ts';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from './server-limits.ts';

/**
 * A review carries object and oldObject. etcd stores an object of at most 1.5 MiB, so a review of a
 * PVC that can be stored (UPDATE: both objects, JSON a little larger than etcd's protobuf) stays
 * under 4 MiB; a larger CREATE could not be stored anyway. controller-runtime allows 7 MiB, but
 * one 7 MiB review of labels alone took the webhook past its 256 MiB memory limit (BENCHMARKS.md).
 */
export const ADMISSION_BODY_LIMIT = 4 * 1024 * 1024;

export interface AdmissionServerOptions {
  readonly logger: Logger;
  readonly tls: { readonly key: string; readonly cert: string };
  readonly metrics: AdmissionMetrics;
  readonly dependencies: AdmissionDependencies;
  readonly maxRequestsPerSocket?: number | undefined;
  /** Defaults: DEFAULT_SERVER_LIMITS. */
  readonly limits?: Partial<ServerLimits> | undefined;
}

export type AdmissionServer = FastifyInstance<HttpsServer>;

const ROUTES: Readonly<Record<string, WebhookKind>> = { '/mutate': 'mutate', '/validate': 'validate' };

/** Fastify's own 4xx errors in words a person debugging a client understands. */
function clientErrorMessage(error: FastifyError, request: FastifyRequest): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `Content-Type must be application/json (an AdmissionReview), got ${JSON.stringify(request.headers['content-type'] ?? '')}`;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the body is larger than the limit of ${ADMISSION_BODY_LIMIT} bytes (${ADMISSION_BODY_LIMIT / 2 ** 20} MiB): a review of a PVC etcd can store (at most 1.5 MiB) is smaller`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty: expected an AdmissionReview';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'the body is not valid JSON: expected an AdmissionReview';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the Content-Length does not match the body';
    default:
      return error instanceof SyntaxError ? `the body is not valid JSON: ${error.message}` : error.message;
  }
}

class BodyTooDeepError extends Error {
  readonly statusCode = 400;
}

/**
 * fastify's JSON parser, after one pass (no recursion) that checks the nesting depth and finds the
 * reviewed objects' managedFields, which are not parsed (see review-text.ts).
 */
function addScannedJsonParser(app: AdmissionServer): void {
  // Prototype keys are dropped, not refused: a label `__proto__` (invalid, but labels are validated
  // after mutating admission) reaches /mutate in a real review, which is answered like any other.
  const parseJson = app.getDefaultJsonParser('remove', 'remove');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const scan = scanReviewText(text, MAX_JSON_DEPTH);
    if (scan.tooDeep) {
      done(
        new BodyTooDeepError(
          `the body nests deeper than ${MAX_JSON_DEPTH} levels: an AdmissionReview of a PVC needs about 12`,
        ),
        undefined,
      );
      return;
    }
    void parseJson(request, withoutManagedFields(text, scan.managedFields), done);
  });
}

/** What a request's body reserves: its Content-Length, or the body limit when it does not say. */
function declaredBodyBytes(request: FastifyRequest): number {
  const length = request.headers['content-length'];
  return length !== undefined && /^[0-9]+$/.test(length) ? Number(length) : ADMISSION_BODY_LIMIT;
}

/**
 * Waits until the request's body fits in the budget, before a byte of it is read; the bytes are
 * given back, and `ended` runs, when the response closes. A callback, not a promise: nearly every
 * request fits at once, and then no promise is made.
 */
function reserveBodyBytes(
  budget: BodyBudget,
  request: FastifyRequest,
  reply: FastifyReply,
  ended: (() => void) | undefined,
  done: () => void,
): void {
  const bytes = declaredBodyBytes(request);
  const whenClosed = (release: () => void) =>
    ended === undefined
      ? release
      : () => {
          release();
          ended();
        };
  const granted = budget.tryReserve(bytes);
  if (granted !== null) {
    reply.raw.once('close', whenClosed(granted));
    done();
    return;
  }
  // A client that leaves while waiting must not keep its bytes once they are granted.
  let gone = false;
  const left = () => {
    gone = true;
  };
  reply.raw.once('close', left);
  void budget.reserve(bytes).then((release) => {
    reply.raw.off('close', left);
    if (gone) release();
    else reply.raw.once('close', whenClosed(release));
    done();
  });
}

/**
 * The logger as fastify gets it: its child() is the logger itself, so requests log through the
 * server's logger, their id in the line. fastify makes a child per request: a pino child (its
 * default) cost a few percent of a busy webhook's CPU for the few lines written, and a
 * childLoggerFactory instead makes fastify check the logger it returns on every request (the
 * largest of fastify's own items in a profile of /validate). The lines are the same: fastify's own
 * serializers (req, res) serve only its request logging, which is off, and `err` is pino's.
 */
function withoutRequestChildren(logger: Logger): Logger {
  const shared = Object.create(logger, { child: { value: () => shared } }) as Logger;
  return shared;
}

/**
 * Every socket, from its TCP accept on (a TLS handshake that never ends included), so that a stop
 * can end them all once the shutdown timeout has passed.
 */
function destroyConnectionsAfterTimeout(app: AdmissionServer, timeoutMs: number): void {
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let timer: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    timer = setTimeout(() => {
      if (sockets.size > 0)
        app.log.warn(
          { connections: sockets.size, timeoutMs },
          'connections still open at the shutdown timeout: closed',
        );
      for (const socket of sockets) socket.destroy();
    }, timeoutMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearTimeout(timer);
  });
}

export function buildAdmissionServer(options: AdmissionServerOptions): AdmissionServer {
  const { metrics, dependencies } = options;
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const app = Fastify<HttpsServer>({
    https: {
      key: options.tls.key,
      cert: options.tls.cert,
      minVersion: 'TLSv1.2',
      handshakeTimeout: limits.handshakeTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      // How often Node looks for requests past their headers or request timeout (default 30 s).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    loggerInstance: withoutRequestChildren(options.logger),
    // One line per admission is written below instead, without bodies.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ADMISSION_BODY_LIMIT,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // The apiserver keeps one connection per webhook host: recycling it now and then (with
    // `Connection: close` on the last answer, no race) spreads load over replicas and makes
    // clients handshake with a rotated certificate.
    maxRequestsPerSocket: options.maxRequestsPerSocket ?? 1000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.server.maxConnections = limits.maxConnections;
  destroyConnectionsAfterTimeout(app, limits.shutdownTimeoutMs);
  // JSON only: text/plain (accepted by default) is no AdmissionReview.
  app.removeContentTypeParser('text/plain');
  addScannedJsonParser(app);
  // On close, a request still in flight is answered with `Connection: close`, so its connection
  // ends with it instead of lingering until the client's idle timeout. One hook for every answer
  // (404s and errors included), a callback: an async hook costs a promise per request.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  // What each admission came to, for its metrics and log line once the answer is sent.
  app.decorateRequest('admissionSummary', null);
  const summaryOf = (request: FastifyRequest) =>
    (request as FastifyRequest & { admissionSummary: AdmissionSummary | null }).admissionSummary;
  const setSummary = (request: FastifyRequest, summary: AdmissionSummary) => {
    (request as FastifyRequest & { admissionSummary: AdmissionSummary | null }).admissionSummary = summary;
  };

  /** Counts (and at debug level logs) an admission whose answer was sent. */
  const answered = (webhook: WebhookKind, request: FastifyRequest, reply: FastifyReply): void => {
    // Counted once answered, as fastify's onResponse did: not when the client left before the answer.
    if (!reply.raw.writableEnded) return;
    const summary = summaryOf(request) ?? {
      operation: 'unknown',
      result: reply.statusCode >= 500 ? 'error' : 'bad_request',
    };
    metrics.observe(webhook, summary.operation, summary.result, reply.elapsedTime / 1000);
    // Every admission is counted in admission_requests_total and recorded by the apiserver's audit
    // log; a line per admission is debug (LOG_LEVEL=debug), as in controller-runtime. At info it
    // cost about a tenth of a busy webhook's CPU (serialization and redaction).
    if (options.logger.isLevelEnabled('debug'))
      request.log.debug(
        {
          reqId: request.id,
          webhook,
          ...summary,
          statusCode: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 100) / 100,
        },
        'admission',
      );
  };

  // A callback hook, not a promise (an async hook costs one per request): a POST reserves its
  // body's bytes; an admission is counted when its response closes, where the bytes go back (no
  // onResponse hook, and no second listener).
  const bodyBudget = createBodyBudget(limits.bodyBytesInFlight);
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'POST') {
      done();
      return;
    }
    const webhook = ROUTES[request.routeOptions.url ?? ''];
    const ended = webhook === undefined ? undefined : () => answered(webhook, request, reply);
    reserveBodyBytes(bodyBudget, request, reply, ended, done);
  });

  const send = (request: FastifyRequest, reply: FastifyReply, answer: AdmissionAnswer): FastifyReply => {
    setSummary(request, answer.summary);
    if (answer.statusCode === 200) return reply.code(200).send(answer.review);
    return reply.code(answer.statusCode).send({ statusCode: answer.statusCode, message: answer.message });
  };
  for (const [path, webhook] of Object.entries(ROUTES)) {
    // Not an async handler: a review of a cached namespace is answered without a promise.
    app.post(path, (request, reply) => {
      const answer = handleAdmission(webhook, request.body, dependencies);
      return answer instanceof Promise
        ? answer.then((settled) => send(request, reply, settled))
        : send(request, reply, answer);
    });
  }
  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', async (_request, reply) => {
    const { ready, reason } = dependencies.readiness();
    return reply
      .code(ready ? 200 : 503)
      .type('text/plain')
      .send(ready ? 'ok\n' : `not ready: ${reason ?? 'starting'}\n`);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = error.statusCode ?? 500;
    if (statusCode >= 400 && statusCode < 500) {
      setSummary(request, { operation: 'unknown', result: 'bad_request' });
      return reply.code(statusCode).send({ statusCode, message: clientErrorMessage(error, request) });
    }
    setSummary(request, { operation: 'unknown', result: 'error' });
    request.log.error({ err: error, reqId: request.id, url: request.url }, 'request failed');
    return reply.code(500).send({ statusCode: 500, message: 'internal error; see the webhook log' });
  });
  return app;
}
