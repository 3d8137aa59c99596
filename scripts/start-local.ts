// `npm start`: the product on a local control plane. etcd + kube-apiserver with Longhorn's CRDs,
// the webhook and the reconciler as their own processes (configured as in a cluster, the webhook
// registered by URL with the caBundle it injects itself), a demo namespace with a Longhorn
// StorageClass, and printed next steps. Ctrl-C stops everything and removes its files.
// `npm start -- --node`: the images and the shipped manifests as pods on a node instead.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildControlPlaneBinaries } from '../tests/harness/build-binaries.ts';
import { ControlPlane } from '../tests/harness/control-plane.ts';
import { freePort } from '../tests/harness/free-port.ts';
import { exitWithoutLonghornCrdsFile } from '../tests/harness/longhorn-crds-file.ts';
import { longhornCrdsPath } from '../tests/harness/paths.ts';
import { TestCluster } from '../tests/harness/test-cluster.ts';
import { waitFor } from '../tests/harness/wait-for.ts';
import { startComponent, type ComponentProcess } from './local/component-process.ts';
import { configMapText, installLocalObjects } from './local/install-local-objects.ts';
import { nextSteps } from './local/next-steps.ts';

exitWithoutLonghornCrdsFile();
if (process.argv.includes('--node')) {
  const { startOnNode } = await import('./local/start-on-node.ts');
  await startOnNode();
}
const started = Date.now();
const productNamespace = 'longhorn-backup-guard';
const demoNamespace = 'demo';
const components: ComponentProcess[] = [];
// The control plane stops itself on Ctrl-C/SIGTERM; the components must not outlive it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const component of components) component.terminate();
  });
}

const plane = await ControlPlane.start({ binDir: await buildControlPlaneBinaries(), crdsPath: longhornCrdsPath });
const cluster = new TestCluster(plane.info, plane);
const [webhookPort, webhookMetricsPort, reconcilerMetricsPort] = [await freePort(), await freePort(), await freePort()];
await installLocalObjects(cluster, `https://127.0.0.1:${webhookPort}`, demoNamespace);
const configFile = join(plane.info.runDir, 'config.yaml');
writeFileSync(configFile, configMapText());

const common = { KUBECONFIG: plane.info.kubeconfigPath, POD_NAMESPACE: productNamespace, LOG_LEVEL: 'info' };
components.push(
  await startComponent(
    'webhook',
    {
      ...common,
      BIND_ADDRESS: '127.0.0.1',
      WEBHOOK_PORT: String(webhookPort),
      METRICS_PORT: String(webhookMetricsPort),
      CONFIG_FILE: configFile,
      CERT_IP_ADDRESSES: '127.0.0.1',
      SHUTDOWN_DELAY_SECONDS: '0',
    },
    plane.info.runDir,
    `http://127.0.0.1:${webhookMetricsPort}/readyz`,
  ),
);
components.push(
  await startComponent(
    'reconciler',
    {
      ...common,
      POD_NAME: 'local-reconciler',
      METRICS_PORT: String(reconcilerMetricsPort),
    },
    plane.info.runDir,
    `http://127.0.0.1:${reconcilerMetricsPort}/readyz`,
  ),
);

// The apiserver picks up the webhook configurations and their caBundle asynchronously: wait until
// a server-side dry run is really judged by the webhook.
await waitFor(
  'the apiserver to call the webhook',
  async () => {
    const probe = await cluster.kubectl(['create', '--dry-run=server', '-n', demoNamespace, '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'probe', labels: { 'backup.vluwte.nl/enabled': 'maybe' } },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      }),
    });
    return probe.code !== 0 && probe.stderr.includes('admission webhook') ? true : undefined;
  },
  30_000,
  250,
);

process.stdout.write(
  nextSteps({
    seconds: (Date.now() - started) / 1000,
    apiUrl: plane.info.apiUrl,
    kubeconfigPath: plane.info.kubeconfigPath,
    kubectlPath: plane.info.kubectlPath,
    webhookPort,
    webhookMetricsPort,
    reconcilerMetricsPort,
    logFiles: components.map((c) => c.logFile),
    demoNamespace,
  }),
);
// Keep running until Ctrl-C (the control plane's signal handler exits the process).
setInterval(() => {}, 1 << 30);
