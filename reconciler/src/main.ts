// node reconciler/src/main.ts: the reconciler process.
// Environment: KUBECONFIG (optional; in a Pod the ServiceAccount is used), POD_NAMESPACE (where
// the ConfigMap and the Lease live), POD_NAME (this replica's identity), CONFIG_MAP_NAME (default
// longhorn-backup-guard), LEASE_NAME (default longhorn-backup-guard-reconciler), METRICS_PORT
// (default 8080), LOG_LEVEL. SIGTERM/SIGINT: in-flight reconciles finish, the lease is released,
// informers stop, exit 0. An invalid configuration at start: exit 1 with the keys at fault.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { loadKubeClient } from '@longhorn-backup-guard/shared/kube/load-kube-config';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { errorText, exitWithFailure, logEscapedErrors } from '@longhorn-backup-guard/shared/process/process-exits';
import { InvalidConfigurationError } from '@longhorn-backup-guard/shared/config/invalid-configuration-error';
import { startReconciler, type ReconcilerHandle } from './start-reconciler.ts';

const log = createLogger('reconciler');

logEscapedErrors(log);

function fail(message: string): never {
  return exitWithFailure(log, message);
}

function podNamespace(): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim();
  } catch {
    return fail('POD_NAMESPACE is not set (the namespace of the ConfigMap and the Lease)');
  }
}

function metricsPort(): number {
  const text = process.env.METRICS_PORT ?? '8080';
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port > 65535)
    fail(`METRICS_PORT=${JSON.stringify(text)} is not a port number (e.g. METRICS_PORT=8080)`);
  return port;
}

let handle: ReconcilerHandle;
try {
  handle = await startReconciler({
    kubeConfig: loadKubeClient(),
    namespace: podNamespace(),
    identity: process.env.POD_NAME || hostname(),
    configMapName: process.env.CONFIG_MAP_NAME || undefined,
    leaseName: process.env.LEASE_NAME || undefined,
    metricsPort: metricsPort(),
    log,
  });
} catch (error) {
  if (error instanceof InvalidConfigurationError) fail(error.message);
  fail(`the reconciler could not start: ${errorText(error)}`);
}
log.info({ metricsPort: handle.metricsPort }, 'reconciler started');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing in-flight reconciles, releasing the lease');
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'stopping failed');
        process.exit(1);
      },
    );
  });
}
