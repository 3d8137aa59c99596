// Support for the webhook's integration tests: the real webhook (startWebhook + the certs
// workspace's CertificateManager) on 127.0.0.1, registered with the test apiserver through
// configurations with unique names whose namespaceSelector matches only this file's namespaces.
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { request as httpsRequest, type Agent } from 'node:https';
import type { TLSSocket } from 'node:tls';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  StorageV1Api,
  type KubeConfig,
  type V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import { CertificateManager, type CertificateManagerOptions } from '@longhorn-backup-guard/certs/certificate-manager';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { isNotFound } from '@longhorn-backup-guard/shared/kube/api-errors';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import {
  staticConfig,
  type ConfigListener,
  type ConfigSource,
} from '@longhorn-backup-guard/shared/config/config-source';
import type { ServerLimits } from '@longhorn-backup-guard/webhook/server/server-limits';
import { startWebhook, type WebhookHandle } from '@longhorn-backup-guard/webhook/start-webhook';
import { freePort } from '../harness/free-port.ts';
import type { TestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';

export const P = 'backup.vluwte.nl';
export const TEST_SELECTOR_KEY = 'lbg-webhook-test';

export const testLogger = () => createLogger('webhook-test', process.env.LBG_TEST_LOG_LEVEL ?? 'silent');

/** A unique id per test file: names of cluster-scoped objects and the namespaceSelector value. */
export const runId = (): string => randomBytes(4).toString('hex');

export interface Registration {
  readonly id: string;
  readonly configurationName: string;
  readonly mutatingWebhookName: string;
  readonly validatingWebhookName: string;
  /** Labels a namespace needs so that this file's webhook sees its PVCs. */
  readonly namespaceLabels: Record<string, string>;
}

export function registrationFor(id: string): Registration {
  return {
    id,
    configurationName: `lbg-webhook-test-${id}`,
    mutatingWebhookName: `mutate.${id}.lbg.test`,
    validatingWebhookName: `validate.${id}.lbg.test`,
    namespaceLabels: { [TEST_SELECTOR_KEY]: id },
  };
}

/** Mutating (CREATE) + Validating (CREATE, UPDATE, DELETE) configurations calling https://127.0.0.1:<port>. */
export async function registerConfigurations(
  kc: KubeConfig,
  registration: Registration,
  port: number,
  failurePolicy: 'Fail' | 'Ignore',
  caBundle?: string,
): Promise<void> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const common = {
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy,
    timeoutSeconds: 10,
    namespaceSelector: { matchLabels: registration.namespaceLabels },
  };
  const clientConfig = (path: string) => ({
    url: `https://127.0.0.1:${port}${path}`,
    ...(caBundle ? { caBundle } : {}),
  });
  const rule = (operations: string[]) => [
    { apiGroups: [''], apiVersions: ['v1'], operations, resources: ['persistentvolumeclaims'], scope: 'Namespaced' },
  ];
  await api.createMutatingWebhookConfiguration({
    body: {
      metadata: { name: registration.configurationName },
      webhooks: [
        {
          ...common,
          name: registration.mutatingWebhookName,
          reinvocationPolicy: 'Never',
          clientConfig: clientConfig('/mutate'),
          rules: rule(['CREATE']),
        },
      ],
    },
  });
  await api.createValidatingWebhookConfiguration({
    body: {
      metadata: { name: registration.configurationName },
      webhooks: [
        {
          ...common,
          name: registration.validatingWebhookName,
          clientConfig: clientConfig('/validate'),
          rules: rule(['CREATE', 'UPDATE', 'DELETE']),
        },
      ],
    },
  });
}

export async function deleteConfigurations(kc: KubeConfig, registration: Registration): Promise<void> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const ignoreMissing = (error: unknown) => {
    if (!isNotFound(error)) throw error;
  };
  await api.deleteMutatingWebhookConfiguration({ name: registration.configurationName }).catch(ignoreMissing);
  await api.deleteValidatingWebhookConfiguration({ name: registration.configurationName }).catch(ignoreMissing);
}

/** One Longhorn StorageClass and one of another provisioner, uniquely named, neither a default. */
export async function createStorageClasses(
  kc: KubeConfig,
  id: string,
): Promise<{ longhorn: string; other: string; remove(): Promise<void> }> {
  const api = kc.makeApiClient(StorageV1Api);
  const longhorn = `lbg-wh-longhorn-${id}`;
  const other = `lbg-wh-nfs-${id}`;
  await api.createStorageClass({ body: { metadata: { name: longhorn }, provisioner: 'driver.longhorn.io' } });
  await api.createStorageClass({ body: { metadata: { name: other }, provisioner: 'nfs.csi.k8s.io' } });
  return {
    longhorn,
    other,
    async remove() {
      await Promise.all([longhorn, other].map((name) => api.deleteStorageClass({ name }).catch(() => undefined)));
    },
  };
}

export type StorageClasses = Awaited<ReturnType<typeof createStorageClasses>>;

export interface WebhookScene {
  readonly kc: KubeConfig;
  readonly registration: Registration;
  readonly classes: StorageClasses;
  /** A namespace the configurations select, made in `before` once the apiserver calls the webhook. */
  namespace: string;
  webhook: RunningWebhook | undefined;
}

export interface WebhookSceneOptions {
  /** Names the selected namespace and, with `-certs`, the certificate Secret's namespace. */
  readonly namespacePrefix: string;
  readonly config?: ConfigSource | GuardConfig;
  /** Runs in `before`, ahead of the webhook's start: objects made before the webhook existed. */
  readonly beforeStart?: (scene: WebhookScene) => Promise<void>;
  /**
   * Runs at the end of `before`. A file's own top-level `before` is no place for what needs the
   * scene: node:test runs top-level hooks as they are registered, not one after the other.
   */
  readonly afterStart?: (scene: WebhookScene) => Promise<void> | void;
}

/**
 * The set-up the webhook's test files share: two StorageClasses, configurations registered for a
 * free port, the real webhook started with its certificates and a selected namespace the apiserver
 * already calls it for (in `before`); all removed in `after`.
 */
export async function useWebhookScene(cluster: TestCluster, options: WebhookSceneOptions): Promise<WebhookScene> {
  const kc = cluster.kubeConfig();
  const registration = registrationFor(runId());
  const classes = await createStorageClasses(kc, registration.id);
  const scene: WebhookScene = { kc, registration, classes, namespace: '', webhook: undefined };
  before(async () => {
    await options.beforeStart?.(scene);
    const certificateNamespace = await cluster.createNamespace(`${options.namespacePrefix}-certs`);
    const port = await freePort();
    await registerConfigurations(kc, registration, port, 'Fail');
    scene.webhook = await startTestWebhook({
      cluster,
      registration,
      certificateNamespace,
      port,
      config: options.config,
    });
    scene.namespace = await cluster.createNamespace(options.namespacePrefix, registration.namespaceLabels);
    await waitUntilWebhooksCalled(kc, scene.namespace, classes.longhorn);
    await options.afterStart?.(scene);
  });
  after(async () => {
    await deleteConfigurations(kc, registration);
    await scene.webhook?.handle.close();
    await classes.remove();
  });
  return scene;
}

/** A configuration source the test changes, as the file watcher would. */
export function mutableConfig(initial: GuardConfig): ConfigSource & { set(next: GuardConfig): void } {
  let config = initial;
  const listeners = new Set<ConfigListener>();
  return {
    current: () => config,
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    set(next) {
      const previous = config;
      config = next;
      for (const listener of listeners) listener(next, previous);
    },
  };
}

export interface RunningWebhook {
  readonly handle: WebhookHandle;
  readonly certificates: CertificateManager;
  readonly port: number;
}

export interface StartOptions {
  readonly cluster: TestCluster;
  readonly registration: Registration;
  /** Namespace of the certificate Secret. */
  readonly certificateNamespace: string;
  readonly port?: number;
  readonly config?: ConfigSource | GuardConfig;
  readonly certificateOptions?: Partial<CertificateManagerOptions>;
  readonly maxRequestsPerSocket?: number;
  /** Default: the cluster's admin. */
  readonly kubeConfig?: KubeConfig;
  readonly serverLimits?: Partial<ServerLimits>;
}

export async function startTestWebhook(options: StartOptions): Promise<RunningWebhook> {
  const kubeConfig = options.kubeConfig ?? options.cluster.kubeConfig();
  const port = options.port ?? (await freePort());
  const log = testLogger();
  const certificates = new CertificateManager({
    kubeConfig,
    namespace: options.certificateNamespace,
    serviceName: 'webhook',
    secretName: 'webhook-tls',
    ipAddresses: ['127.0.0.1'],
    mutatingWebhookConfigurationName: options.registration.configurationName,
    validatingWebhookConfigurationName: options.registration.configurationName,
    checkIntervalMs: 500,
    retryInitialMs: 100,
    retryMaxMs: 500,
    logger: log,
    ...options.certificateOptions,
  });
  const config =
    options.config === undefined
      ? staticConfig(defaultConfig)
      : 'current' in options.config
        ? options.config
        : staticConfig(options.config);
  const handle = await startWebhook({
    kubeConfig,
    config,
    certificates,
    host: '127.0.0.1',
    port,
    metricsPort: 0,
    logger: log,
    maxRequestsPerSocket: options.maxRequestsPerSocket,
    serverLimits: options.serverLimits,
  });
  await waitFor('webhook ready', async () => (handle.readiness().ready ? true : undefined), 20_000);
  return { handle, certificates, port };
}

export function pvcBody(
  name: string,
  labels: Record<string, string>,
  storageClassName: string,
): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, labels },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: '1Gi' } } },
  };
}

export function pvcYaml(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  storageClassName: string,
): string {
  const labelLines = Object.entries(labels)
    .map(([key, value]) => `    ${key}: ${JSON.stringify(value)}`)
    .join('\n');
  return `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
  namespace: ${namespace}
${labelLines === '' ? '' : `  labels:\n${labelLines}\n`}spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ${storageClassName}
  resources:
    requests:
      storage: 1Gi
`;
}

/**
 * Waits until the apiserver really calls both webhooks for `namespace`: a dry-run create of an
 * opted-in PVC without a name passes only when the mutating webhook filled the name in and the
 * validating one let it through; one with enabled=yes is refused only by the validating one.
 */
export async function waitUntilWebhooksCalled(
  kc: KubeConfig,
  namespace: string,
  storageClassName: string,
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(
    'the apiserver to call the webhooks',
    async () => {
      const created = await core.createNamespacedPersistentVolumeClaim({
        namespace,
        dryRun: 'All',
        body: pvcBody('probe', { [`${P}/enabled`]: 'true' }, storageClassName),
      });
      if (created.metadata?.labels?.[`${P}/name`] !== 'probe') return undefined;
      try {
        await core.createNamespacedPersistentVolumeClaim({
          namespace,
          dryRun: 'All',
          body: pvcBody('probe', { [`${P}/enabled`]: 'yes' }, storageClassName),
        });
        return undefined;
      } catch (error) {
        return String((error as { body?: unknown }).body).includes('denied the request') ? true : undefined;
      }
    },
    30_000,
    200,
  );
}

export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

export interface RawRequestOptions {
  /** Connections to reuse (keep-alive); the default agent otherwise. */
  readonly agent?: Agent;
  /** Rejects when the whole answer has not come within this time. */
  readonly timeoutMs?: number;
}

/** A request straight at the webhook, trusting `ca`. */
export function postRaw(
  port: number,
  path: string,
  ca: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  method = 'POST',
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        ca,
        ...(options.agent === undefined ? {} : { agent: options.agent }),
        headers: { 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      },
    );
    if (options.timeoutMs !== undefined) {
      const timeoutMs = options.timeoutMs;
      timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    }
    req.on('error', fail);
    req.end(body);
  });
}

/** The serial number of the certificate the webhook presents now. */
export function servedCertificateSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/healthz', ca, agent: false }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
      res.resume();
      res.on('end', () => resolve(serial));
    });
    req.on('error', reject);
    req.end();
  });
}
