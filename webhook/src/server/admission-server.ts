// The HTTPS server the apiserver calls: POST /mutate and /validate (AdmissionReview v1, JSON,
// at most 4 MiB) answered by the admission endpoint on Node's own request and response, GET
// /healthz and /readyz (and every 404) by fastify. A body that is not a review gets a 4xx with a
// JSON message; a failure on our side a 5xx (the apiserver then applies the failurePolicy). What
// one client may cost (time, connections, memory for bodies) is bounded by the ServerLimits.
import { createServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { WebhookKind } from '../decide/decide-admission.ts';
import type { AdmissionMetrics } from './admission-metrics.ts';
import { createAdmissionEndpoint } from './admission-endpoint.ts';
import { createBodyBudget } from './body-budget.ts';
import type { AdmissionDependencies } from './handle-admission.ts';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from './server-limits.ts';

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

const ADMISSION_PATHS: ReadonlyMap<string, WebhookKind> = new Map([
  ['/mutate', 'mutate'],
  ['/validate', 'validate'],
]);

/** The webhook a request is for: a POST to /mutate or /validate, any query (the apiserver adds `?timeout=`). */
function admissionWebhookOf(request: IncomingMessage): WebhookKind | undefined {
  if (request.method !== 'POST') return undefined;
  const url = request.url ?? '';
  const query = url.indexOf('?');
  return ADMISSION_PATHS.get(query === -1 ? url : url.slice(0, query));
}

/**
 * The logger as fastify gets it: its child() is the logger itself, so the few requests fastify
 * serves (health checks, 404s) log through the server's logger, their id in the line, without a
 * pino child made per request (fastify's default).
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
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  // On close, a request still in flight is answered with `Connection: close`, so its connection
  // ends with it instead of lingering until the client's idle timeout; a new one gets fastify's 503.
  let closing = false;
  const answerAdmission = createAdmissionEndpoint({
    metrics: options.metrics,
    dependencies: options.dependencies,
    logger: options.logger,
    bodyBudget: createBodyBudget(limits.bodyBytesInFlight),
    closing: () => closing,
  });
  const app = Fastify<HttpsServer>({
    serverFactory: (fastifyHandler) => {
      const server = createServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          minVersion: 'TLSv1.2',
          handshakeTimeout: limits.handshakeTimeoutMs,
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          // How often Node looks for requests past their headers or request timeout (default 30 s).
          connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
        },
        (request: IncomingMessage, response: ServerResponse) => {
          const webhook = closing ? undefined : admissionWebhookOf(request);
          if (webhook === undefined) fastifyHandler(request, response);
          else answerAdmission(webhook, request, response);
        },
      );
      // A connection without traffic while a request is due (e.g. a TLS connection that never sends one).
      server.setTimeout(limits.idleTimeoutMs);
      // The apiserver keeps one connection per webhook host: recycling it now and then (with
      // `Connection: close` on the last answer, no race) spreads load over replicas and makes
      // clients handshake with a rotated certificate. 0: no limit.
      const maxRequestsPerSocket = options.maxRequestsPerSocket ?? 1000;
      if (maxRequestsPerSocket > 0) server.maxRequestsPerSocket = maxRequestsPerSocket;
      server.maxConnections = limits.maxConnections;
      return server;
    },
    loggerInstance: withoutRequestChildren(options.logger),
    // Admissions are counted (and at debug level logged) by the endpoint; health checks are not.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  destroyConnectionsAfterTimeout(app, limits.shutdownTimeoutMs);
  app.addHook('preClose', async () => {
    closing = true;
  });
  // A callback hook: an async hook costs a promise per request.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', async (_request, reply) => {
    const { ready, reason } = options.dependencies.readiness();
    return reply
      .code(ready ? 200 : 503)
      .type('text/plain')
      .send(ready ? 'ok\n' : `not ready: ${reason ?? 'starting'}\n`);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = error.statusCode ?? 500;
    if (statusCode >= 400 && statusCode < 500)
      return reply.code(statusCode).send({ statusCode, message: error.message });
    request.log.error({ err: error, reqId: request.id, url: request.url }, 'request failed');
    return reply.code(500).send({ statusCode: 500, message: 'internal error; see the webhook log' });
  });
  return app;
}
