// Starts the admission webhook programmatically (main.ts, tests, benchmarks): caches, the
// operations server (/metrics), the certificate, then the HTTPS admission server. close() stops
// accepting, finishes requests in flight, then stops the certificate loop and the caches.
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startOperationsServer, type OperationsServer } from '@longhorn-backup-guard/shared/http/operations-server';
import { createInformerMetrics } from '@longhorn-backup-guard/shared/kube/informer/informer-metrics';
import { createLogger, type Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { ClusterCaches } from './cache/admission-caches.ts';
import { createContextSource } from './cache/context-source.ts';
import type { ConfigSource } from '@longhorn-backup-guard/shared/config/config-source';
import { createAdmissionMetrics } from './server/admission-metrics.ts';
import { buildAdmissionServer, type AdmissionServer } from './server/admission-server.ts';
import type { CertificateSource } from './server/certificate-source.ts';
import type { ServerLimits } from './server/server-limits.ts';
import type { Readiness } from './server/handle-admission.ts';
import type { KubeSource } from '@longhorn-backup-guard/shared/kube/kube-source';

export interface WebhookOptions {
  readonly kubeConfig: KubeSource;
  readonly config: ConfigSource;
  readonly certificates: CertificateSource;
  /** Default 0.0.0.0. */
  readonly host?: string;
  /** HTTPS port; default 8443, 0 for any free port. */
  readonly port?: number;
  /** Plain-HTTP /metrics port; default 8080, 0 for any free port, null for no metrics server. */
  readonly metricsPort?: number | null;
  readonly logger?: Logger;
  /** Default: a new registry with the process metrics. */
  readonly registry?: Registry;
  readonly now?: () => Date;
  readonly namespaceLookupTimeoutMs?: number;
  /** Requests per kept-alive connection before it is recycled (default 1000). */
  readonly maxRequestsPerSocket?: number;
  /** Timeouts, connection cap, body byte budget, shutdown timeout; default DEFAULT_SERVER_LIMITS. */
  readonly serverLimits?: Partial<ServerLimits>;
}

export interface WebhookHandle {
  readonly port: number;
  readonly metricsPort: number | undefined;
  readonly registry: Registry;
  readiness(): Readiness;
  /** Idempotent. */
  close(): Promise<void>;
}

export async function startWebhook(options: WebhookOptions): Promise<WebhookHandle> {
  const log = options.logger ?? createLogger('webhook');
  const registry = options.registry ?? new Registry();
  if (options.registry === undefined) collectDefaultMetrics({ register: registry });
  const config = options.config.current();
  const caches = new ClusterCaches(config, {
    kubeConfig: options.kubeConfig,
    log,
    metrics: createInformerMetrics(registry),
    resyncPeriodMs: config.resyncPeriod,
  });
  let server: AdmissionServer | undefined;
  let operations: OperationsServer | undefined;
  const cleanups: (() => void)[] = [];

  const readiness = (): Readiness => {
    if (server === undefined) return { ready: false, reason: 'no serving certificate yet' };
    const notSynced = caches.notSyncedReason();
    return notSynced === null ? { ready: true } : { ready: false, reason: notSynced };
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await server?.close();
      for (const cleanup of cleanups) cleanup();
      await Promise.all([options.certificates.stop(), caches.stop(), operations?.close()]);
      log.info('webhook stopped');
    })();
    return closing;
  };

  try {
    caches.start();
    cleanups.push(
      options.config.onChange((next) => {
        caches
          .follow(next)
          .catch((error: unknown) =>
            log.error(
              { err: error },
              'switching a cache to the new configuration (watchNamespaces, longhornNamespace, labelPrefix) failed',
            ),
          );
      }),
    );
    if (options.metricsPort !== null) {
      operations = await startOperationsServer({
        host: options.host ?? '0.0.0.0',
        port: options.metricsPort ?? 8080,
        registry,
        readiness,
      });
    }
    const certificate = await options.certificates.start();
    const app = buildAdmissionServer({
      logger: log,
      tls: certificate,
      maxRequestsPerSocket: options.maxRequestsPerSocket,
      limits: options.serverLimits,
      metrics: createAdmissionMetrics(registry),
      dependencies: {
        readiness,
        log,
        contextFor: createContextSource({
          caches,
          config: options.config,
          kubeConfig: options.kubeConfig,
          log,
          now: options.now ?? (() => new Date()),
          namespaceLookupTimeoutMs: options.namespaceLookupTimeoutMs,
        }),
      },
    });
    cleanups.push(
      options.certificates.onRotation((next) => {
        // New connections get the new certificate; open ones keep theirs until they are recycled
        // (see maxRequestsPerSocket). Closing idle ones here would race the apiserver reusing them.
        app.server.setSecureContext({ key: next.key, cert: next.cert });
        log.info('serving certificate swapped in');
      }),
    );
    server = app;
    await app.listen({ host: options.host ?? '0.0.0.0', port: options.port ?? 8443 });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 8443);
    log.info({ port, metricsPort: operations?.port }, 'webhook listening');
    return { port, metricsPort: operations?.port, registry, readiness, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
