// The install manifests: what `kubectl kustomize manifests/` renders keeps the promises made in
// the manifests and the README (ports, names, selectors, security, configuration, RBAC limits), and
// `kubectl apply -k manifests/` works against a real apiserver: a server-side dry run, then a real
// apply that keeps a caBundle the webhook wrote, admits PVCs while the webhook is unreachable
// (failurePolicy Ignore) and grants each ServiceAccount what the README says, no more.
//
// A private control plane: the Prometheus operator's CRDs it gets must not be seen by other tests,
// and the webhook configurations applied here would be called for every PVC created in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { AdmissionregistrationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parseConfig } from '@longhorn-backup-guard/shared/config/parse-config';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { readEnvironment } from '@longhorn-backup-guard/webhook/environment';
import { startPrivateCluster } from '../harness/test-cluster.ts';
import { repoRoot } from '../harness/paths.ts';
import { waitFor } from '../harness/wait-for.ts';
import { prometheusOperatorCrdsDir } from '../tools/tools.ts';

const cluster = await startPrivateCluster();
const manifestsDir = join(repoRoot, 'manifests');
const NS = 'longhorn-backup-guard';
const WEBHOOK_SA = `system:serviceaccount:${NS}:longhorn-backup-guard-webhook`;
const RECONCILER_SA = `system:serviceaccount:${NS}:longhorn-backup-guard-reconciler`;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const result = await cluster.kubectl(args, input === undefined ? {} : { input });
  assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

async function render(dir: string): Promise<K8sObject[]> {
  return parseAllDocuments(await kubectlOk(['kustomize', dir])).map((doc) => doc.toJS() as K8sObject);
}

const objects = await render(manifestsDir);
function find<T = Record<string, unknown>>(kind: string, name: string, namespace?: string): K8sObject & T {
  const found = objects.find(
    (o) =>
      o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
  );
  assert.ok(found, `no ${kind} ${namespace ? `${namespace}/` : ''}${name} in the rendered manifests`);
  return found as K8sObject & T;
}

interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name: string; containerPort: number }[];
  securityContext: Record<string, unknown>;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
  startupProbe: Probe;
  livenessProbe: Probe;
  readinessProbe: Probe;
}
interface Probe {
  httpGet: { path: string; port: string; scheme?: string };
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}
interface DeploymentSpec {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName: string;
        automountServiceAccountToken: boolean;
        securityContext: Record<string, unknown>;
        containers: Container[];
        volumes: { name: string; emptyDir?: object; configMap?: { name: string } }[];
      };
    };
  };
}
interface ServiceSpec {
  spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] };
}
interface WebhookSpec {
  name: string;
  failurePolicy: string;
  sideEffects: string;
  timeoutSeconds: number;
  admissionReviewVersions: string[];
  clientConfig: { service: { name: string; namespace: string; path: string; port: number }; caBundle?: string };
  rules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[];
  namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
}
interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

function envOf(container: Container): Map<string, string> {
  return new Map(
    (container.env ?? []).map((e) => [e.name, e.value ?? `fieldRef:${e.valueFrom?.fieldRef?.fieldPath ?? '?'}`]),
  );
}

test('every object carries the product label, and nothing lands in an unexpected namespace', () => {
  for (const o of objects) {
    assert.equal(
      o.metadata.labels?.['app.kubernetes.io/name'],
      'longhorn-backup-guard',
      `${o.kind} ${o.metadata.name}`,
    );
    const clusterScoped = [
      'Namespace',
      'ClusterRole',
      'ClusterRoleBinding',
      'MutatingWebhookConfiguration',
      'ValidatingWebhookConfiguration',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ];
    if (clusterScoped.includes(o.kind)) assert.equal(o.metadata.namespace, undefined, `${o.kind} ${o.metadata.name}`);
    else if (o.kind === 'Role' || o.kind === 'RoleBinding')
      assert.ok([NS, 'longhorn-system'].includes(o.metadata.namespace ?? ''), `${o.kind} ${o.metadata.name}`);
    else assert.equal(o.metadata.namespace, NS, `${o.kind} ${o.metadata.name}`);
  }
  // core/ is everything but the Prometheus operator objects.
  const kinds = (list: K8sObject[]) =>
    list.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
  return render(join(manifestsDir, 'core')).then((core) => {
    assert.deepEqual(kinds(core), kinds(objects.filter((o) => !o.apiVersion.startsWith('monitoring.coreos.com/'))));
  });
});

test('both Deployments: replicas, images, entry, hardened security context, probes, resources, /tmp', () => {
  for (const component of ['webhook', 'reconciler'] as const) {
    const deployment = find<DeploymentSpec>('Deployment', `longhorn-backup-guard-${component}`, NS);
    const labels = { 'app.kubernetes.io/name': 'longhorn-backup-guard', 'app.kubernetes.io/component': component };
    assert.equal(deployment.spec.replicas, 2);
    assert.deepEqual(deployment.spec.selector.matchLabels, labels);
    assert.deepEqual(deployment.spec.template.metadata.labels, labels);
    const pod = deployment.spec.template.spec;
    assert.equal(pod.serviceAccountName, `longhorn-backup-guard-${component}`);
    assert.equal(pod.automountServiceAccountToken, true);
    assert.deepEqual(pod.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.equal(pod.containers.length, 1);
    const [container] = pod.containers;
    assert.ok(container);
    assert.equal(container.image, `ghcr.io/vluwte/longhorn-backup-guard-${component}:0.1.0`);
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // The reconciler peaked at 174-179 MiB converging 5,000 PVCs as shipped (its heap caps, the image's V8 flags;
    // BENCHMARKS.md), about 14 MiB more per 1,000 PVCs.
    const memory =
      component === 'reconciler' ? { requests: '128Mi', limits: '256Mi' } : { requests: '64Mi', limits: '256Mi' };
    assert.deepEqual(container.resources, {
      requests: { cpu: '50m', memory: memory.requests },
      limits: { cpu: '500m', memory: memory.limits },
    });
    assert.ok(
      container.volumeMounts?.some(
        (m) => m.mountPath === '/tmp' && pod.volumes.find((v) => v.name === m.name)?.emptyDir,
      ),
    );
    const env = envOf(container);
    if (component === 'reconciler')
      assert.equal(env.get('NODE_OPTIONS'), '--max-old-space-size=128 --max-semi-space-size=4');
    if (component === 'webhook')
      assert.equal(env.get('NODE_OPTIONS'), '--max-old-space-size=96 --max-semi-space-size=4');
    assert.equal(env.get('POD_NAMESPACE'), 'fieldRef:metadata.namespace');
    assert.equal(env.get('METRICS_PORT'), '8080');
    assert.deepEqual(container.ports?.find((p) => p.name === 'metrics')?.containerPort, 8080);
    // Probes for a loaded node: a slow start or a slow answer is no reason to restart a pod.
    const { startupProbe, livenessProbe, readinessProbe } = container;
    assert.equal(startupProbe.httpGet.path, '/healthz');
    assert.ok(startupProbe.periodSeconds * startupProbe.failureThreshold >= 300, 'startup: 5 minutes');
    assert.deepEqual(livenessProbe.httpGet, { path: '/healthz', port: 'metrics' }, 'liveness: plain HTTP, no TLS');
    assert.ok(livenessProbe.timeoutSeconds >= 10, 'liveness: a slow answer is an answer');
    assert.ok(livenessProbe.periodSeconds * livenessProbe.failureThreshold >= 120, 'liveness: 2 minutes silent');
    assert.equal(readinessProbe.httpGet.path, '/readyz');
  }
  const webhook = find<DeploymentSpec>('Deployment', 'longhorn-backup-guard-webhook', NS).spec.template.spec;
  const [webhookContainer] = webhook.containers;
  assert.ok(webhookContainer);
  assert.equal(webhookContainer.ports?.find((p) => p.name === 'https')?.containerPort, 8443);
  for (const probe of [webhookContainer.startupProbe, webhookContainer.readinessProbe])
    assert.deepEqual(
      probe.httpGet,
      { path: probe.httpGet.path, port: 'https', scheme: 'HTTPS' },
      'as the apiserver calls',
    );
  const webhookEnv = envOf(webhookContainer);
  assert.equal(webhookEnv.get('CONFIG_FILE'), '/etc/longhorn-backup-guard/config.yaml');
  const configMount = webhookContainer.volumeMounts?.find((m) => m.mountPath === '/etc/longhorn-backup-guard');
  assert.equal(webhook.volumes.find((v) => v.name === configMount?.name)?.configMap?.name, 'longhorn-backup-guard');
  assert.equal(webhookEnv.get('TLS_SECRET_NAME'), 'longhorn-backup-guard-webhook-tls');
  assert.equal(webhookEnv.get('SERVICE_NAME'), 'longhorn-backup-guard-webhook');
  assert.equal(webhookEnv.get('WEBHOOK_CONFIGURATION_NAME'), 'longhorn-backup-guard');
  assert.equal(webhookEnv.get('WEBHOOK_PORT'), '8443');

  const [reconcilerContainer] = find<DeploymentSpec>('Deployment', 'longhorn-backup-guard-reconciler', NS).spec.template
    .spec.containers;
  assert.ok(reconcilerContainer);
  const reconcilerEnv = envOf(reconcilerContainer);
  assert.equal(reconcilerEnv.get('POD_NAME'), 'fieldRef:metadata.name');
  assert.equal(reconcilerEnv.get('CONFIG_MAP_NAME'), 'longhorn-backup-guard');
  const leaseRule = find<{ rules: RbacRule[] }>('Role', 'longhorn-backup-guard-reconciler', NS).rules.find(
    (r) => r.resources.includes('leases') && r.resourceNames,
  );
  assert.deepEqual(
    leaseRule?.resourceNames,
    [reconcilerEnv.get('LEASE_NAME')],
    'LEASE_NAME and the Lease rule name the same Lease',
  );

  const pdb = find<{ spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>(
    'PodDisruptionBudget',
    'longhorn-backup-guard-webhook',
    NS,
  );
  assert.equal(pdb.spec.minAvailable, 1);
  assert.deepEqual(
    pdb.spec.selector.matchLabels,
    find<DeploymentSpec>('Deployment', 'longhorn-backup-guard-webhook', NS).spec.selector.matchLabels,
  );
  const reconcilerPdb = find<{ spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>(
    'PodDisruptionBudget',
    'longhorn-backup-guard-reconciler',
    NS,
  );
  assert.equal(reconcilerPdb.spec.minAvailable, 1, 'a drain keeps the standby reconciler');
  assert.deepEqual(
    reconcilerPdb.spec.selector.matchLabels,
    find<DeploymentSpec>('Deployment', 'longhorn-backup-guard-reconciler', NS).spec.selector.matchLabels,
  );
});

test('the env the Deployments set is the env the components read', async () => {
  const webhookEnv = envOf(
    find<DeploymentSpec>('Deployment', 'longhorn-backup-guard-webhook', NS).spec.template.spec
      .containers[0] as Container,
  );
  const read = readEnvironment({ ...Object.fromEntries(webhookEnv), POD_NAMESPACE: NS });
  assert.equal(read.port, 8443);
  assert.equal(read.metricsPort, 8080);
  assert.equal(read.configFile, '/etc/longhorn-backup-guard/config.yaml');
  assert.equal(read.namespace, NS);
  assert.equal(read.tlsSecretName, 'longhorn-backup-guard-webhook-tls');
  assert.equal(read.serviceName, 'longhorn-backup-guard-webhook');
  assert.equal(
    read.mutatingWebhookConfigurationName,
    find('MutatingWebhookConfiguration', 'longhorn-backup-guard').metadata.name,
  );
  assert.equal(
    read.validatingWebhookConfigurationName,
    find('ValidatingWebhookConfiguration', 'longhorn-backup-guard').metadata.name,
  );
  // A variable the code does not mention any more would be set for nothing.
  for (const component of ['webhook', 'reconciler']) {
    const container = find<DeploymentSpec>('Deployment', `longhorn-backup-guard-${component}`, NS).spec.template.spec
      .containers[0] as Container;
    const sources = await readSources(join(repoRoot, component, 'src'));
    // NODE_OPTIONS is Node's own (the heap cap).
    for (const name of envOf(container).keys())
      if (name !== 'NODE_OPTIONS') assert.ok(sources.includes(name), `${component}/src never reads ${name}`);
  }
});

async function readSources(dir: string): Promise<string> {
  const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.ts'));
  return (await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8')))).join('\n');
}

test('Services select their pods and route to named container ports; ServiceMonitors scrape them', () => {
  const webhookService = find<ServiceSpec>('Service', 'longhorn-backup-guard-webhook', NS);
  assert.deepEqual(
    webhookService.spec.ports.map((p) => [p.name, p.port, p.targetPort]),
    [
      ['https', 443, 'https'],
      ['metrics', 8080, 'metrics'],
    ],
  );
  const reconcilerService = find<ServiceSpec>('Service', 'longhorn-backup-guard-reconciler', NS);
  assert.deepEqual(
    reconcilerService.spec.ports.map((p) => [p.name, p.port, p.targetPort]),
    [['metrics', 8080, 'metrics']],
  );
  for (const component of ['webhook', 'reconciler']) {
    const name = `longhorn-backup-guard-${component}`;
    const service = find<ServiceSpec>('Service', name, NS);
    const deployment = find<DeploymentSpec>('Deployment', name, NS);
    assert.deepEqual(service.spec.selector, deployment.spec.template.metadata.labels);
    const monitor = find<{
      spec: {
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string; path: string; honorLabels?: boolean }[];
      };
    }>('ServiceMonitor', name, NS);
    assert.deepEqual(monitor.spec.selector.matchLabels, service.metadata.labels, 'the job label is the Service name');
    assert.deepEqual(
      monitor.spec.endpoints.map((e) => [e.port, e.path]),
      [['metrics', '/metrics']],
    );
    assert.equal(monitor.spec.endpoints[0]?.honorLabels, component === 'reconciler' ? true : undefined);
  }
});

test('the ConfigMap ships every configuration key, with the defaults, and the webhooks exclude the same namespaces', () => {
  const configMap = find<{ data: Record<string, string> }>('ConfigMap', 'longhorn-backup-guard', NS);
  const text = configMap.data['config.yaml'] ?? '';
  const parsed = parseConfig(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.map((e) => e.message).join('\n'));
  assert.deepEqual(parsed.config, { ...defaultConfig, excludedNamespaces: [...defaultConfig.excludedNamespaces, NS] });
  // Every key is written out (a key left out would take its default silently, unseen by the reader).
  const shipped = parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(shipped).sort(), Object.keys(defaultConfig).sort());
  assert.deepEqual(Object.keys(shipped.defaults as object).sort(), Object.keys(defaultConfig.defaults).sort());

  for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
    const { webhooks } = find<{ webhooks: WebhookSpec[] }>(kind, 'longhorn-backup-guard');
    assert.equal(webhooks.length, 1);
    const [webhook] = webhooks;
    assert.ok(webhook);
    assert.equal(webhook.failurePolicy, 'Ignore');
    assert.equal(webhook.sideEffects, 'None');
    assert.equal(webhook.timeoutSeconds, 5);
    assert.deepEqual(webhook.admissionReviewVersions, ['v1']);
    assert.equal(webhook.clientConfig.caBundle, undefined, 'caBundle is written at run time');
    assert.deepEqual(webhook.clientConfig.service, {
      name: 'longhorn-backup-guard-webhook',
      namespace: NS,
      port: 443,
      path: kind.startsWith('Mutating') ? '/mutate' : '/validate',
    });
    assert.deepEqual(webhook.rules, [
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        resources: ['persistentvolumeclaims'],
        scope: 'Namespaced',
        operations: kind.startsWith('Mutating') ? ['CREATE'] : ['CREATE', 'UPDATE', 'DELETE'],
      },
    ]);
    assert.deepEqual(webhook.namespaceSelector, {
      matchExpressions: [
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: parsed.config.excludedNamespaces },
      ],
    });
  }
});

test('RBAC: no wildcards, no Secret access beyond the certificate, no deletion of Snapshots or Backups', () => {
  const allRules = objects
    .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
    .flatMap((role) => (role as K8sObject & { rules: RbacRule[] }).rules.map((rule) => ({ role, rule })));
  for (const { role, rule } of allRules) {
    const where = `${role.kind} ${role.metadata.namespace ?? ''}/${role.metadata.name}`;
    for (const list of [rule.apiGroups, rule.resources, rule.verbs])
      assert.ok(!list.includes('*'), `${where}: wildcard`);
    if (rule.resources.includes('secrets')) {
      assert.equal(role.kind, 'Role', `${where}: Secrets only through a namespaced Role`);
      assert.equal(role.metadata.namespace, NS);
      assert.ok(
        rule.verbs.every((verb) => verb === 'create') ||
          rule.resourceNames?.join() === 'longhorn-backup-guard-webhook-tls',
        `${where}: ${rule.verbs.join()}`,
      );
      assert.ok(
        !rule.verbs.some((verb) => ['list', 'watch', 'delete'].includes(verb)),
        `${where}: ${rule.verbs.join()}`,
      );
    }
    if (rule.apiGroups.includes('longhorn.io')) {
      assert.equal(
        role.metadata.namespace,
        'longhorn-system',
        `${where}: Longhorn objects only in Longhorn's namespace`,
      );
      assert.ok(!rule.resources.includes('settings'), `${where}: no Longhorn settings`);
      if (rule.resources.some((r) => r === 'snapshots' || r === 'backups'))
        assert.ok(!rule.verbs.includes('delete'), `${where}: never delete backups`);
    }
  }
});

test('apply -k manifests/ --server-side --dry-run=server succeeds and creates nothing', async () => {
  const crdsDir = await prometheusOperatorCrdsDir();
  for (const file of ['monitoring.coreos.com_prometheusrules.yaml', 'monitoring.coreos.com_servicemonitors.yaml']) {
    await kubectlOk(['apply', '--server-side', '-f', join(crdsDir, file)]);
  }
  await kubectlOk([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/prometheusrules.monitoring.coreos.com',
    'crd/servicemonitors.monitoring.coreos.com',
  ]);
  // A dry run cannot create objects inside a namespace that exists only in the same dry run, so
  // the two namespaces exist first (in a real cluster Longhorn's does, and ours is applied first).
  await kubectlOk(['create', 'namespace', 'longhorn-system']);
  await kubectlOk(['create', 'namespace', NS]);

  const out = await kubectlOk(['apply', '-k', manifestsDir, '--server-side', '--dry-run=server']);
  const applied = out.split('\n').filter((line) => line.endsWith('serverside-applied (server dry run)'));
  assert.equal(applied.length, objects.length, out);
  for (const kind of [
    'prometheusrule.monitoring.coreos.com/longhorn-backup-guard',
    'mutatingwebhookconfiguration.admissionregistration.k8s.io/longhorn-backup-guard',
    'deployment.apps/longhorn-backup-guard-webhook',
  ]) {
    assert.ok(
      applied.some((line) => line.startsWith(`${kind} `)),
      `${kind} in:\n${out}`,
    );
  }
  const missing = await cluster.kubectl([
    'get',
    'clusterrole/longhorn-backup-guard-webhook',
    `-n=${NS}`,
    'deployment/longhorn-backup-guard-webhook',
  ]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NotFound/);
});

async function resourceVersions(): Promise<Map<string, string>> {
  const list = JSON.parse(await kubectlOk(['get', '-k', manifestsDir, '-o', 'json'])) as {
    items: (K8sObject & { metadata: { resourceVersion: string } })[];
  };
  return new Map(
    list.items.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.resourceVersion]),
  );
}

test('a real apply: idempotent, keeps the caBundle the webhook writes, admits PVCs while the webhook is unreachable', async () => {
  await kubectlOk(['apply', '-k', manifestsDir, '--server-side']);
  const kc = cluster.kubeConfig();
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  // What the webhook does (certs/src/inject-ca-bundle.ts): a JSON Patch of caBundle only.
  const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n').toString('base64');
  const patch = [{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: caBundle }];
  const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
  await admission.patchMutatingWebhookConfiguration({ name: 'longhorn-backup-guard', body: patch }, jsonPatch);
  await admission.patchValidatingWebhookConfiguration({ name: 'longhorn-backup-guard', body: patch }, jsonPatch);

  // Server-side apply again, then client-side apply twice: the first adds its annotation, the
  // second writes nothing (kubectl says "configured" for a PodDisruptionBudget all the same, so
  // the proof is that no object's resourceVersion moves).
  const applies = [
    ['apply', '-k', manifestsDir, '--server-side'],
    ['apply', '-k', manifestsDir],
    ['apply', '-k', manifestsDir],
  ];
  let versionsBefore = new Map<string, string>();
  for (const [index, args] of applies.entries()) {
    await kubectlOk(args);
    const versions = await resourceVersions();
    assert.equal(versions.size, objects.length);
    if (index === 2) assert.deepEqual(versions, versionsBefore, 're-applying changed nothing');
    versionsBefore = versions;
    const mutating = await admission.readMutatingWebhookConfiguration({ name: 'longhorn-backup-guard' });
    const validating = await admission.readValidatingWebhookConfiguration({ name: 'longhorn-backup-guard' });
    assert.equal(
      mutating.webhooks?.[0]?.clientConfig.caBundle,
      caBundle,
      `${args.join(' ')} kept the mutating caBundle`,
    );
    assert.equal(
      validating.webhooks?.[0]?.clientConfig.caBundle,
      caBundle,
      `${args.join(' ')} kept the validating caBundle`,
    );
  }

  // Nothing runs the webhook here, so every call fails: failurePolicy Ignore admits the PVC. The
  // apiserver picks the configurations up asynchronously; its log shows when it called (and failed).
  const ns = await cluster.createNamespace('manifests-ignore');
  const core = kc.makeApiClient(CoreV1Api);
  const apiserverLog = join(cluster.info.runDir, 'kube-apiserver.log');
  let attempt = 0;
  await waitFor(
    'the apiserver to call both webhooks and fail open',
    async () => {
      attempt += 1;
      const body = {
        metadata: { name: `data-${attempt}`, labels: { 'backup.vluwte.nl/enabled': 'not-a-boolean' } },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      };
      const created = await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body });
      assert.equal(created.metadata?.labels?.['backup.vluwte.nl/enabled'], 'not-a-boolean');
      const log = await readFile(apiserverLog, 'utf8');
      const failedOpen = (webhook: string) =>
        new RegExp(`Failed calling webhook, failing open ${webhook.replaceAll('.', '\\.')}`).test(log);
      return failedOpen('pvc-defaults.longhorn-backup-guard.vluwte.nl') &&
        failedOpen('pvc-labels.longhorn-backup-guard.vluwte.nl')
        ? true
        : undefined;
    },
    30_000,
    250,
  );
});

test('the Pods both Deployments make pass the namespace\'s "restricted" Pod Security enforcement', async () => {
  await kubectlOk(['apply', '-k', manifestsDir, '--server-side']);
  const podOf = (name: string, mutate: (spec: DeploymentSpec['spec']['template']['spec']) => void = () => {}) => {
    const template = structuredClone(find<DeploymentSpec>('Deployment', name, NS).spec.template);
    mutate(template.spec);
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...template.metadata, name: `${name}-psa-check`, namespace: NS },
      spec: template.spec,
    });
  };
  for (const name of ['longhorn-backup-guard-webhook', 'longhorn-backup-guard-reconciler']) {
    const result = await cluster.kubectl(['create', '--dry-run=server', '-f', '-'], { input: podOf(name) });
    assert.equal(result.code, 0, `${name}: ${result.stderr}`);
  }
  // The control: the same Pod allowed to escalate privileges is refused, so enforcement is on.
  const escalating = podOf('longhorn-backup-guard-reconciler', (spec) => {
    spec.containers[0]!.securityContext.allowPrivilegeEscalation = true;
  });
  const refused = await cluster.kubectl(['create', '--dry-run=server', '-f', '-'], { input: escalating });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
});

test('each ServiceAccount may do what the README says and no more', async () => {
  // The apiserver's own authorizer answers, for the manifests as applied (a no-op if applied before).
  await kubectlOk(['apply', '-k', manifestsDir, '--server-side']);
  await waitFor('RBAC of the applied manifests', async () =>
    (await cluster.kubectl(['auth', 'can-i', 'watch', 'persistentvolumeclaims', '--as', WEBHOOK_SA])).stdout.trim() ===
    'yes'
      ? true
      : undefined,
  );
  const cases: [string, string, string, boolean][] = [
    // [who, verb resource, namespace ('' = cluster), allowed]
    [WEBHOOK_SA, 'list persistentvolumeclaims', 'team-a', true],
    [WEBHOOK_SA, 'watch storageclasses.storage.k8s.io', '', true],
    [WEBHOOK_SA, 'get namespaces', '', true],
    [WEBHOOK_SA, 'update persistentvolumeclaims', 'team-a', false],
    [WEBHOOK_SA, 'get secrets/longhorn-backup-guard-webhook-tls', NS, true],
    [WEBHOOK_SA, 'update secrets/longhorn-backup-guard-webhook-tls', NS, true],
    [WEBHOOK_SA, 'create secrets', NS, true],
    [WEBHOOK_SA, 'get secrets/other', NS, false],
    [WEBHOOK_SA, 'list secrets', NS, false],
    [WEBHOOK_SA, 'delete secrets/longhorn-backup-guard-webhook-tls', NS, false],
    [WEBHOOK_SA, 'create secrets', 'default', false],
    [WEBHOOK_SA, 'patch mutatingwebhookconfigurations.admissionregistration.k8s.io/longhorn-backup-guard', '', true],
    [WEBHOOK_SA, 'get validatingwebhookconfigurations.admissionregistration.k8s.io/longhorn-backup-guard', '', true],
    [WEBHOOK_SA, 'patch validatingwebhookconfigurations.admissionregistration.k8s.io/other', '', false],
    [WEBHOOK_SA, 'list recurringjobs.longhorn.io', 'longhorn-system', true],
    [WEBHOOK_SA, 'watch recurringjobs.longhorn.io', 'longhorn-system', true],
    [WEBHOOK_SA, 'get recurringjobs.longhorn.io', 'longhorn-system', false],
    [WEBHOOK_SA, 'patch recurringjobs.longhorn.io', 'longhorn-system', false],
    [WEBHOOK_SA, 'delete recurringjobs.longhorn.io', 'longhorn-system', false],
    [WEBHOOK_SA, 'list recurringjobs.longhorn.io', 'team-a', false],
    [WEBHOOK_SA, 'list volumes.longhorn.io', 'longhorn-system', false],
    [RECONCILER_SA, 'watch persistentvolumeclaims', 'team-a', true],
    [RECONCILER_SA, 'patch persistentvolumeclaims', 'team-a', true],
    [RECONCILER_SA, 'delete persistentvolumeclaims', 'team-a', false],
    [RECONCILER_SA, 'list persistentvolumes', '', true],
    [RECONCILER_SA, 'patch persistentvolumes', '', false],
    [RECONCILER_SA, 'watch storageclasses.storage.k8s.io', '', true],
    [RECONCILER_SA, 'create events', 'team-a', true],
    [RECONCILER_SA, 'patch events.events.k8s.io', 'team-a', false],
    [RECONCILER_SA, 'patch events', 'team-a', false],
    [RECONCILER_SA, 'update recurringjobs.longhorn.io', 'longhorn-system', false],
    [RECONCILER_SA, 'get persistentvolumeclaims', 'team-a', false],
    [RECONCILER_SA, 'delete recurringjobs.longhorn.io', 'longhorn-system', true],
    [RECONCILER_SA, 'create recurringjobs.longhorn.io', 'team-a', false],
    [RECONCILER_SA, 'patch volumes.longhorn.io', 'longhorn-system', true],
    [RECONCILER_SA, 'delete volumes.longhorn.io', 'longhorn-system', false],
    [RECONCILER_SA, 'create snapshots.longhorn.io', 'longhorn-system', true],
    [RECONCILER_SA, 'create backups.longhorn.io', 'longhorn-system', true],
    [RECONCILER_SA, 'delete snapshots.longhorn.io', 'longhorn-system', false],
    [RECONCILER_SA, 'delete backups.longhorn.io', 'longhorn-system', false],
    [RECONCILER_SA, 'update settings.longhorn.io', 'longhorn-system', false],
    [RECONCILER_SA, 'watch configmaps', NS, true],
    [RECONCILER_SA, 'get configmaps', 'default', false],
    [RECONCILER_SA, 'update leases.coordination.k8s.io/longhorn-backup-guard-reconciler', NS, true],
    [RECONCILER_SA, 'create leases.coordination.k8s.io', NS, true],
    [RECONCILER_SA, 'update leases.coordination.k8s.io/other', NS, false],
    [RECONCILER_SA, 'get secrets', NS, false],
  ];
  const wrong: string[] = [];
  await Promise.all(
    cases.map(async ([who, action, namespace, allowed]) => {
      const result = await cluster.kubectl([
        'auth',
        'can-i',
        ...action.split(' '),
        '--as',
        who,
        ...(namespace ? ['-n', namespace] : []),
      ]);
      const answer = result.stdout.trim();
      if (answer !== (allowed ? 'yes' : 'no'))
        wrong.push(
          `${who.split(':').at(-1)} ${action} in ${namespace || 'the cluster'}: ${answer} ${result.stderr.trim()}`,
        );
    }),
  );
  assert.deepEqual(wrong, []);
});

test("the optional NetworkPolicies: each selects its Deployment's pods, opens its named ports, metrics from the monitoring namespace only; the apiserver accepts them", async () => {
  const policies = await render(join(manifestsDir, 'network-policies'));
  assert.deepEqual(policies.map((p) => `${p.kind}/${p.metadata.namespace ?? ''}/${p.metadata.name}`).sort(), [
    `NetworkPolicy/${NS}/longhorn-backup-guard-reconciler`,
    `NetworkPolicy/${NS}/longhorn-backup-guard-webhook`,
  ]);
  assert.ok(!objects.some((o) => o.kind === 'NetworkPolicy'), 'optional: not in manifests/ itself');
  interface Policy {
    spec: {
      podSelector: { matchLabels: Record<string, string> };
      ingress: {
        from?: { namespaceSelector?: { matchLabels: Record<string, string> } }[];
        ports: { port: string }[];
      }[];
    };
  }
  for (const component of ['webhook', 'reconciler'] as const) {
    const policy = policies.find((p) => p.metadata.name === `longhorn-backup-guard-${component}`) as unknown as Policy;
    const deployment = find<DeploymentSpec>('Deployment', `longhorn-backup-guard-${component}`, NS);
    assert.deepEqual(policy.spec.podSelector.matchLabels, deployment.spec.selector.matchLabels);
    const portNames = (deployment.spec.template.spec.containers[0]?.ports ?? []).map((p) => p.name);
    for (const rule of policy.spec.ingress)
      for (const port of rule.ports)
        assert.ok(portNames.includes(port.port), `${component}: port ${port.port} is a container port`);
    const [metrics, ...rest] = policy.spec.ingress;
    assert.deepEqual(metrics?.from, [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
    assert.deepEqual(
      metrics?.ports.map((p) => p.port),
      ['metrics'],
    );
    assert.deepEqual(
      rest.map((r) => [r.from, r.ports.map((p) => p.port)]),
      component === 'webhook' ? [[undefined, ['https']]] : [],
      'the webhook port from anywhere (the apiserver is no pod); nothing else',
    );
  }
  await cluster.kubectl(['create', 'namespace', NS]);
  await kubectlOk(['apply', '-k', join(manifestsDir, 'network-policies'), '--server-side', '--dry-run=server']);
});
