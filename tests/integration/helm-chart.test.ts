// The Helm chart with a real helm (built from the Go module proxy by tests/tools/helm.sh) against a
// real apiserver: lint, the schema refusing typos, the defaults rendering exactly what `kubectl
// kustomize manifests/` renders (object by object: one source of truth checked), values reaching
// the objects, and install -> upgrade -> uninstall. The upgrade runs while the webhook (its real
// process, configured as the chart's Deployment configures it, as the chart's ServiceAccount)
// answers admissions through the chart's Service, after it injected its caBundle: not one
// admission may go unanswered. Uninstall leaves no chart object and never touches RecurringJobs,
// Snapshots or Backups.
//
// A private control plane with --enable-aggregator-routing (the apiserver reaches the webhook's
// Service through its endpoints, which the test writes as the endpoints controller would, pointing
// at this machine's address): the chart's cluster-wide objects and webhook configurations must not
// be seen by other tests.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AdmissionregistrationV1Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api } from '@kubernetes/client-node';
import { parseConfig } from '@longhorn-backup-guard/shared/config/parse-config';
import { startComponent, type ComponentProcess } from '../../scripts/local/component-process.ts';
import { freePort } from '../harness/free-port.ts';
import { repoRoot } from '../harness/paths.ts';
import { chartDir, runHelm as runHelmIn } from '../harness/helm.ts';
import { startPrivateCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { applyPrometheusOperatorCrds, findHelm, haveTool } from '../tools/tools.ts';
import { P, createStorageClasses, pvcBody, waitUntilWebhooksCalled } from './webhook-support.ts';
import { defaultBackupJobSpec } from '../fixtures/default-job-spec.ts';

process.env.LBG_APISERVER_EXTRA_ARGS = [
  process.env.LBG_APISERVER_EXTRA_ARGS ?? '',
  '--enable-aggregator-routing=true',
].join(' ');
const cluster = await startPrivateCluster();
const kc = cluster.kubeConfig();
const helm = await findHelm();
const NS = 'longhorn-backup-guard';
const RELEASE = 'longhorn-backup-guard';
const helmHome = await mkdtemp(join(tmpdir(), 'lbg-helm-'));
const running: ComponentProcess[] = [];
after(async () => {
  for (const component of running) await component.stop();
  await rm(helmHome, { recursive: true, force: true });
});

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runHelm(args: string[]): Promise<Run> {
  return runHelmIn(helm ?? 'helm', cluster.info.kubeconfigPath, helmHome, args);
}

async function helmOk(args: string[]): Promise<string> {
  const result = await runHelm(args);
  assert.equal(result.code, 0, `helm ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const result = await cluster.kubectl(args, input === undefined ? {} : { input });
  assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

function documents(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** `helm template` of the chart in the product's namespace with `--set` values. */
async function renderChart(sets: string[] = []): Promise<K8sObject[]> {
  return documents(
    await helmOk(['template', RELEASE, chartDir, '--namespace', NS, ...sets.flatMap((s) => ['--set', s])]),
  );
}

const asYamlStream = (objects: K8sObject[]): string => objects.map((o) => JSON.stringify(o)).join('\n---\n');
const keyOf = (o: K8sObject): string => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;

type CelExpressions = { expression: string }[] | undefined;

/** A CEL expression's meaning ignores whitespace (kustomize re-folds a `>-` block with a blank line). */
const celWithoutWhitespace = (items: CelExpressions): CelExpressions =>
  items?.map((item) => ({ ...item, expression: item.expression.replace(/\s+/g, ' ') }));

/**
 * The object with its config.yaml replaced by the configuration it means (comments and order
 * aside), and a ValidatingAdmissionPolicy's CEL expressions with whitespace collapsed.
 */
function meaning(o: K8sObject): unknown {
  if (o.kind === 'ValidatingAdmissionPolicy') {
    const spec = o.spec as { validations?: CelExpressions; matchConditions?: CelExpressions };
    const validations = celWithoutWhitespace(spec.validations);
    const matchConditions = celWithoutWhitespace(spec.matchConditions);
    return { ...o, spec: { ...spec, validations, matchConditions } };
  }
  const data = o.data as Record<string, string> | undefined;
  if (o.kind !== 'ConfigMap' || data?.['config.yaml'] === undefined) return o;
  const parsed = parseConfig(data['config.yaml']);
  assert.ok(parsed.ok, `${keyOf(o)}: ${JSON.stringify(parsed)}`);
  return { ...o, data: { ...data, 'config.yaml': parsed.config } };
}

function find(objects: K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
  const found = objects.find(
    (o) =>
      o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
  );
  assert.ok(found, `no ${kind} ${name}`);
  return found;
}

test("helm lint --strict passes; a typo or a wrong type in the values fails with the schema's message", async (t) => {
  if (!haveTool(t, 'helm', helm)) return;
  await helmOk(['lint', '--strict', chartDir]);
  const typo = await runHelm(['template', RELEASE, chartDir, '--set', 'config.defaults.intreval=6']);
  assert.notEqual(typo.code, 0);
  assert.match(typo.stderr, /values don't meet the specifications of the schema/);
  assert.match(typo.stderr, /intreval/);
  const wrongType = await runHelm(['lint', chartDir, '--set', 'webhook.replicas=two']);
  assert.notEqual(wrongType.code, 0);
  assert.match(wrongType.stdout + wrongType.stderr, /replicas/);
  const badInterval = await runHelm(['template', RELEASE, chartDir, '--set', 'config.defaults.interval=5']);
  assert.notEqual(badInterval.code, 0, 'an interval that does not divide 24');
});

test('the defaults render the objects of `kubectl kustomize manifests/`, object by object', async (t) => {
  if (!haveTool(t, 'helm', helm)) return;
  // namespace.create: the manifests make the Namespace; a Helm release needs it beforehand.
  const chart = await renderChart(['namespace.create=true']);
  const manifests = documents(await kubectlOk(['kustomize', join(repoRoot, 'manifests')]));
  assert.deepEqual(chart.map(keyOf).sort(), manifests.map(keyOf).sort(), 'the same objects');
  for (const object of manifests) {
    const rendered = chart.find((o) => keyOf(o) === keyOf(object));
    assert.deepEqual(meaning(rendered ?? object), meaning(object), `${keyOf(object)} is the same in the chart`);
  }
  const withoutNamespace = await renderChart();
  assert.deepEqual(
    withoutNamespace.map(keyOf).sort(),
    manifests
      .filter((o) => o.kind !== 'Namespace')
      .map(keyOf)
      .sort(),
    'by default the release namespace is not rendered',
  );
});

test('networkPolicy.enabled renders the NetworkPolicies of `kubectl kustomize manifests/network-policies/`', async (t) => {
  if (!haveTool(t, 'helm', helm)) return;
  const policies = (await renderChart(['networkPolicy.enabled=true'])).filter((o) => o.kind === 'NetworkPolicy');
  const manifests = documents(await kubectlOk(['kustomize', join(repoRoot, 'manifests', 'network-policies')]));
  assert.deepEqual(policies.map(keyOf).sort(), manifests.map(keyOf).sort(), 'the same NetworkPolicies');
  for (const object of manifests)
    assert.deepEqual(
      policies.find((o) => keyOf(o) === keyOf(object)),
      object,
      `${keyOf(object)} is the same in the chart`,
    );
  const anyScraper = find(
    await renderChart(['networkPolicy.enabled=true', 'networkPolicy.metricsFrom=null']),
    'NetworkPolicy',
    'longhorn-backup-guard-reconciler',
  ) as K8sObject & { spec: { ingress: { from?: unknown }[] } };
  assert.equal(anyScraper.spec.ingress[0]?.from, undefined, 'no metricsFrom: metrics from any peer');
});

test('values reach the objects they promise', async (t) => {
  if (!haveTool(t, 'helm', helm)) return;
  const digest = `sha256:${'a'.repeat(64)}`;
  const objects = await renderChart([
    `images.webhook.digest=${digest}`,
    'images.reconciler.tag=9.9.9',
    'webhook.replicas=3',
    'reconciler.resources.limits.memory=512Mi',
    'webhook.priorityClassName=system-cluster-critical',
    'reconciler.nodeSelector.disk=ssd',
    'webhook.tolerations[0].key=dedicated',
    'webhook.tolerations[0].operator=Exists',
    'reconciler.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=zone',
    'reconciler.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=Exists',
    'commonLabels.team=storage',
    'commonAnnotations.owner=ops',
    'monitoring.prometheusRule.enabled=false',
    'monitoring.serviceMonitors.enabled=false',
    'networkPolicy.enabled=true',
    'reconciler.podDisruptionBudget.enabled=true',
    'config.longhornNamespace=storage',
    'config.excludedNamespaces={kube-system,storage,longhorn-backup-guard}',
    'config.denyDeleteWithoutArchive=true',
    'config.defaults.retain=30',
  ]);
  type Container = { image: string; resources: { limits: Record<string, string> } };
  type PodSpec = Record<string, unknown> & { containers: Container[] };
  type Pod = {
    spec: {
      template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
      replicas: number;
      selector: { matchLabels: Record<string, string> };
    };
  };
  const webhook = find(objects, 'Deployment', 'longhorn-backup-guard-webhook') as K8sObject & Pod;
  const reconciler = find(objects, 'Deployment', 'longhorn-backup-guard-reconciler') as K8sObject & Pod;
  assert.equal(
    webhook.spec.template.spec.containers[0]?.image,
    `ghcr.io/vluwte/longhorn-backup-guard-webhook@${digest}`,
  );
  assert.equal(
    reconciler.spec.template.spec.containers[0]?.image,
    'ghcr.io/vluwte/longhorn-backup-guard-reconciler:9.9.9',
  );
  assert.equal(webhook.spec.replicas, 3);
  assert.equal(reconciler.spec.template.spec.containers[0]?.resources.limits.memory, '512Mi');
  assert.equal(webhook.spec.template.spec.priorityClassName, 'system-cluster-critical');
  assert.deepEqual(reconciler.spec.template.spec.nodeSelector, { disk: 'ssd' });
  assert.deepEqual(webhook.spec.template.spec.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
  assert.deepEqual(
    Object.keys(reconciler.spec.template.spec.affinity as object),
    ['nodeAffinity'],
    'the given affinity replaces the default anti-affinity',
  );
  for (const object of objects) {
    assert.equal(object.metadata.labels?.team, 'storage', `${keyOf(object)} has the extra label`);
    assert.equal(object.metadata.annotations?.owner, 'ops', `${keyOf(object)} has the extra annotation`);
  }
  assert.equal(webhook.spec.selector.matchLabels.team, undefined, 'never in a selector');
  assert.equal(
    objects.some((o) => o.kind === 'PrometheusRule' || o.kind === 'ServiceMonitor'),
    false,
    'monitoring off',
  );
  assert.deepEqual(
    objects
      .filter((o) => o.kind === 'NetworkPolicy')
      .map((o) => o.metadata.name)
      .sort(),
    ['longhorn-backup-guard-reconciler', 'longhorn-backup-guard-webhook'],
  );
  assert.deepEqual(
    objects
      .filter((o) => o.kind === 'PodDisruptionBudget')
      .map((o) => o.metadata.name)
      .sort(),
    ['longhorn-backup-guard-reconciler', 'longhorn-backup-guard-webhook'],
  );
  const longhornRoles = objects.filter(
    (o) => (o.kind === 'Role' || o.kind === 'RoleBinding') && o.metadata.namespace !== NS,
  );
  assert.equal(longhornRoles.length, 4);
  for (const role of longhornRoles)
    assert.equal(role.metadata.namespace, 'storage', `${keyOf(role)} moved with config.longhornNamespace`);
  for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
    const configuration = find(objects, kind, 'longhorn-backup-guard') as K8sObject & {
      webhooks: { namespaceSelector: { matchExpressions: { values: string[] }[] } }[];
    };
    assert.deepEqual(
      configuration.webhooks[0]?.namespaceSelector.matchExpressions[0]?.values,
      ['kube-system', 'storage', 'longhorn-backup-guard'],
      `${kind}: config.excludedNamespaces`,
    );
  }
  const config = meaning(find(objects, 'ConfigMap', 'longhorn-backup-guard')) as {
    data: {
      'config.yaml': { denyDeleteWithoutArchive: boolean; longhornNamespace: string; defaults: { retain: number } };
    };
  };
  assert.equal(config.data['config.yaml'].denyDeleteWithoutArchive, true);
  assert.equal(config.data['config.yaml'].longhornNamespace, 'storage');
  assert.equal(config.data['config.yaml'].defaults.retain, 30);
});

test("the admission policy names the webhook's ServiceAccount in the release namespace", async (t) => {
  if (!haveTool(t, 'helm', helm)) return;
  const objects = documents(await helmOk(['template', RELEASE, chartDir, '--namespace', 'backup-guard']));
  const policy = find(
    objects,
    'ValidatingAdmissionPolicy',
    'longhorn-backup-guard-webhook-ca-bundle-only',
  ) as K8sObject & { spec: { matchConditions: { expression: string }[] } };
  assert.deepEqual(
    policy.spec.matchConditions.map((c) => c.expression),
    ["request.userInfo.username == 'system:serviceaccount:backup-guard:longhorn-backup-guard-webhook'"],
  );
  const binding = find(
    objects,
    'ValidatingAdmissionPolicyBinding',
    'longhorn-backup-guard-webhook-ca-bundle-only',
  ) as K8sObject & { spec: { policyName: string } };
  assert.equal(binding.spec.policyName, policy.metadata.name);
});

/** This machine's first non-loopback IPv4 address: the apiserver may not route to a loopback endpoint. */
function hostAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;
}

/** Plays the endpoints controller: the webhook Service's endpoints are the process on this machine. */
async function pointServiceAt(address: string, port: number): Promise<void> {
  const name = 'longhorn-backup-guard-webhook';
  await kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
    namespace: NS,
    body: {
      metadata: {
        name: `${name}-local`,
        labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'lbg-test' },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [address], conditions: { ready: true, serving: true, terminating: false } }],
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    },
  });
  await kc.makeApiClient(CoreV1Api).createNamespacedEndpoints({
    namespace: NS,
    body: {
      metadata: { name },
      subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
    },
  });
}

/** A kubeconfig file that acts as the chart's webhook ServiceAccount. */
async function serviceAccountKubeconfig(dir: string, serviceAccount: string): Promise<string> {
  const file = join(dir, `${serviceAccount}.kubeconfig`);
  await writeFile(
    file,
    cluster.impersonatingKubeConfig(`system:serviceaccount:${NS}:${serviceAccount}`).exportConfig(),
    { mode: 0o600 },
  );
  return file;
}

type EnvVar = { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } };

/** The webhook's process with the environment of the chart's Deployment (ports and paths local). */
async function startChartWebhook(address: string): Promise<{ component: ComponentProcess; port: number }> {
  const deployment = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'apps',
    version: 'v1',
    namespace: NS,
    plural: 'deployments',
    name: 'longhorn-backup-guard-webhook',
  })) as {
    spec: { template: { spec: { containers: { env: EnvVar[] }[] } } };
  };
  const env: Record<string, string> = {};
  for (const variable of deployment.spec.template.spec.containers[0]?.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[variable.name] = NS;
  }
  const configMap = await kc
    .makeApiClient(CoreV1Api)
    .readNamespacedConfigMap({ namespace: NS, name: 'longhorn-backup-guard' });
  const configFile = join(helmHome, 'config.yaml');
  await writeFile(configFile, configMap.data?.['config.yaml'] ?? '');
  const [port, metricsPort] = [await freePort(), await freePort()];
  const component = await startComponent(
    'webhook',
    {
      ...env,
      KUBECONFIG: await serviceAccountKubeconfig(helmHome, 'longhorn-backup-guard-webhook'),
      CONFIG_FILE: configFile,
      WEBHOOK_PORT: String(port),
      METRICS_PORT: String(metricsPort),
      BIND_ADDRESS: '0.0.0.0',
      CERT_IP_ADDRESSES: address,
      SHUTDOWN_DELAY_SECONDS: '0',
      LOG_LEVEL: 'info',
    },
    helmHome,
    `http://127.0.0.1:${metricsPort}/readyz`,
  );
  running.push(component);
  return { component, port };
}

async function caBundles(): Promise<(string | undefined)[]> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const mutating = await api.readMutatingWebhookConfiguration({ name: 'longhorn-backup-guard' });
  const validating = await api.readValidatingWebhookConfiguration({ name: 'longhorn-backup-guard' });
  return [mutating.webhooks?.[0]?.clientConfig.caBundle, validating.webhooks?.[0]?.clientConfig.caBundle];
}

/** Admissions in a loop until stopped: a malformed PVC must be denied, a good one get its name filled in. */
interface AdmissionTally {
  answered: number;
  failures: string[];
}
function admitContinuously(
  core: CoreV1Api,
  namespace: string,
  storageClass: string,
): { stop(): Promise<AdmissionTally> } {
  let stopping = false;
  const failures: string[] = [];
  let answered = 0;
  const loop = (async () => {
    for (let i = 0; !stopping; i++) {
      const at = new Date().toISOString();
      try {
        const created = await core.createNamespacedPersistentVolumeClaim({
          namespace,
          dryRun: 'All',
          body: pvcBody(`good-${i}`, { [`${P}/enabled`]: 'true' }, storageClass),
        });
        if (created.metadata?.labels?.[`${P}/name`] !== `good-${i}`) failures.push(`${at} good-${i}: not mutated`);
      } catch (error) {
        failures.push(`${at} good-${i}: ${String((error as { body?: unknown }).body ?? error)}`);
      }
      try {
        await core.createNamespacedPersistentVolumeClaim({
          namespace,
          dryRun: 'All',
          body: pvcBody(`bad-${i}`, { [`${P}/enabled`]: 'yes' }, storageClass),
        });
        failures.push(`${at} bad-${i}: admitted`);
      } catch (error) {
        if (!String((error as { body?: unknown }).body).includes('denied the request'))
          failures.push(`${at} bad-${i}: ${String(error)}`);
      }
      answered++;
    }
  })();
  let stopped: Promise<AdmissionTally> | undefined;
  return {
    stop() {
      stopping = true;
      stopped ??= loop.then(() => ({ answered, failures }));
      return stopped;
    },
  };
}

type Managed = { metadata: { uid: string; resourceVersion: string } };
const longhorn = { group: 'longhorn.io', version: 'v1beta2', namespace: 'longhorn-system' };

/** What the install needs first: the Prometheus operator's CRDs, Longhorn's namespace, the release namespace. */
let prepared: Promise<void> | undefined;
function prepareCluster(): Promise<void> {
  prepared ??= createPrerequisites();
  return prepared;
}

async function createPrerequisites(): Promise<void> {
  await applyPrometheusOperatorCrds(cluster);
  await kubectlOk(['create', 'namespace', 'longhorn-system']);
  await kubectlOk(['create', 'namespace', NS]);
}

test('install, upgrade after the caBundle was injected (no admission unanswered), uninstall (Longhorn objects untouched)', async (t) => {
  if (!haveTool(t, 'helm', helm)) return;
  const address = hostAddress();
  if (address === undefined) {
    t.skip('no non-loopback IPv4 address on this machine for the webhook endpoint');
    return;
  }
  await prepareCluster();
  // Longhorn's objects a running product leaves: they must survive the uninstall untouched.
  const custom = kc.makeApiClient(CustomObjectsApi);
  const job = (await custom.createNamespacedCustomObject({
    ...longhorn,
    plural: 'recurringjobs',
    body: {
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'RecurringJob',
      metadata: {
        name: 'backup-app-data',
        labels: { [`${P}/managed`]: 'true', [`${P}/source-namespace`]: 'app', [`${P}/source-pvc`]: 'data' },
      },
      spec: defaultBackupJobSpec('backup-app-data'),
    },
  })) as Managed;
  const snapshot = (await custom.createNamespacedCustomObject({
    ...longhorn,
    plural: 'snapshots',
    body: {
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'Snapshot',
      metadata: { name: 'backup-app-data-archive-1', labels: { [`${P}/archive-job`]: 'backup-app-data' } },
      spec: { volume: 'pvc-1', createSnapshot: true },
    },
  })) as Managed;
  const backup = (await custom.createNamespacedCustomObject({
    ...longhorn,
    plural: 'backups',
    body: {
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'Backup',
      metadata: { name: 'backup-app-data-archive-1', labels: { [`${P}/archive-job`]: 'backup-app-data' } },
      spec: { snapshotName: 'backup-app-data-archive-1', backupMode: 'full' },
    },
  })) as Managed;

  // Install: every object accepted by the apiserver (server-side apply, strict field validation).
  const installed = await helmOk(['install', RELEASE, chartDir, '--namespace', NS]);
  assert.match(installed, /STATUS: deployed/);
  const rendered = await renderChart();
  const inCluster = await kubectlOk(['get', '-f', '-', '-o', 'name'], asYamlStream(rendered));
  assert.equal(inCluster.trim().split('\n').length, rendered.length, 'every rendered object exists');

  // The webhook runs, injects its caBundle and answers through the chart's Service.
  const { component, port } = await startChartWebhook(address);
  await pointServiceAt(address, port);
  const injected = await waitFor(
    'the caBundle injected into both configurations',
    async () => {
      const bundles = await caBundles();
      return bundles.every((b) => b !== undefined && b !== '') ? bundles : undefined;
    },
    30_000,
  );
  const app = await cluster.createNamespace('app');
  const classes = await createStorageClasses(kc, 'helm');
  await waitUntilWebhooksCalled(kc, app, classes.longhorn);

  // Upgrade under load: changed values that touch the webhook configurations themselves.
  const admissions = admitContinuously(kc.makeApiClient(CoreV1Api), app, classes.longhorn);
  const upgradeTwice = async (): Promise<Run[]> => {
    const runs = [
      await runHelm([
        'upgrade',
        RELEASE,
        chartDir,
        '--namespace',
        NS,
        '--set',
        'commonLabels.team=storage',
        '--set',
        'webhook.replicas=3',
        '--set',
        'config.defaults.retain=9',
      ]),
      await runHelm([
        'upgrade',
        RELEASE,
        chartDir,
        '--namespace',
        NS,
        '--set',
        'commonLabels.team=backup',
        '--set',
        'webhook.replicas=3',
        '--set',
        'config.defaults.retain=9',
      ]),
    ];
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return runs;
  };
  const upgrades = await upgradeTwice().finally(() => admissions.stop());
  const { answered, failures } = await admissions.stop();
  for (const upgrade of upgrades) assert.equal(upgrade.code, 0, `helm upgrade failed:\n${upgrade.stderr}`);
  assert.deepEqual(failures, [], 'every admission answered correctly through both upgrades');
  assert.ok(answered >= 3, `admissions ran through the upgrades (${answered})`);
  t.diagnostic(`${answered} pairs of admissions (one mutated, one denied) answered through two upgrades`);
  assert.deepEqual(await caBundles(), injected, 'the caBundle is the one the webhook wrote');
  const mutating = await kc
    .makeApiClient(AdmissionregistrationV1Api)
    .readMutatingWebhookConfiguration({ name: 'longhorn-backup-guard' });
  assert.equal(mutating.metadata?.labels?.team, 'backup', 'the upgrade did change the configuration');
  for (const entry of mutating.metadata?.managedFields ?? []) {
    if (entry.manager === 'helm')
      assert.doesNotMatch(JSON.stringify(entry.fieldsV1), /caBundle/, 'helm owns no caBundle');
  }
  const config = parseConfig(
    (await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: NS, name: 'longhorn-backup-guard' }))
      .data?.['config.yaml'] ?? '',
  );
  assert.ok(config.ok && config.config.defaults.retain === 9, 'the upgraded configuration');
  await component.stop();
  await classes.remove();

  // Uninstall: nothing of the chart left, Longhorn's objects untouched.
  await helmOk(['uninstall', RELEASE, '--namespace', NS]);
  const left = await kubectlOk(['get', '-f', '-', '-o', 'name', '--ignore-not-found'], asYamlStream(rendered));
  assert.equal(left.trim(), '', 'no chart object is left');
  for (const [plural, name, before] of [
    ['recurringjobs', 'backup-app-data', job],
    ['snapshots', 'backup-app-data-archive-1', snapshot],
    ['backups', 'backup-app-data-archive-1', backup],
  ] as const) {
    const now = (await custom.getNamespacedCustomObject({ ...longhorn, plural, name })) as Managed;
    assert.equal(now.metadata.uid, before.metadata.uid, `${plural}: the same object`);
    assert.equal(now.metadata.resourceVersion, before.metadata.resourceVersion, `${plural}: untouched`);
  }
  // What the webhook made at run time stays in the namespace (README: delete the namespace).
  const secrets = await kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: NS });
  assert.deepEqual(
    secrets.items.map((s) => s.metadata?.name).filter((n) => !n?.startsWith('sh.helm.release')),
    ['longhorn-backup-guard-webhook-tls'],
  );
  assert.deepEqual(
    secrets.items.filter((s) => s.metadata?.name?.startsWith('sh.helm.release')),
    [],
    'the release history is gone',
  );
});

test('every object the values can turn on is accepted by the apiserver (server-side dry run)', async (t) => {
  if (!haveTool(t, 'helm', helm)) return;
  await prepareCluster();
  const objects = await renderChart([
    'networkPolicy.enabled=true',
    'networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.purpose=monitoring',
    'reconciler.podDisruptionBudget.enabled=true',
    'webhook.podDisruptionBudget.minAvailable=50%',
    'commonLabels.team=storage',
    'commonAnnotations.owner=ops',
    'webhook.podLabels.tier=admission',
    'reconciler.podAnnotations.note=x',
    'imagePullSecrets[0].name=registry',
    'webhook.tolerations[0].key=dedicated',
    'webhook.tolerations[0].operator=Exists',
    'reconciler.nodeSelector.disk=ssd',
    'monitoring.prometheusRule.labels.release=kps',
    'monitoring.serviceMonitors.labels.release=kps',
    'monitoring.serviceMonitors.interval=1m',
  ]);
  const out = await kubectlOk(
    ['apply', '--server-side', '--dry-run=server', '--field-manager=helm-chart-test', '-f', '-'],
    asYamlStream(objects),
  );
  assert.equal(out.trim().split('\n').length, objects.length, out);
  assert.match(
    out,
    /networkpolicy\.networking\.k8s\.io\/longhorn-backup-guard-webhook serverside-applied \(server dry run\)/,
  );
});
