// What a cluster would have before `npm start`'s components run: the product's Namespace and
// ConfigMap from manifests/, Longhorn's namespace, a Longhorn StorageClass, a demo namespace, and
// the webhook configurations from manifests/ pointed at the local webhook by URL instead of the
// in-cluster Service (caBundle is left to the webhook, exactly as in a cluster).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../../tests/harness/paths.ts';
import type { TestCluster } from '../../tests/harness/test-cluster.ts';

interface WebhookDocument {
  webhooks: { clientConfig: { service?: { path?: string }; url?: string } }[];
}

function manifest(path: string): unknown[] {
  return parseAllDocuments(readFileSync(join(repoRoot, 'manifests', path), 'utf8')).map((d) => d.toJS() as unknown);
}

async function apply(cluster: TestCluster, documents: unknown[]): Promise<void> {
  const input = documents.map((d) => JSON.stringify(d)).join('\n');
  const result = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input });
  if (result.code !== 0) throw new Error(`kubectl apply failed: ${result.stderr}`);
}

export async function installLocalObjects(
  cluster: TestCluster,
  webhookUrl: string,
  demoNamespace: string,
): Promise<void> {
  await apply(cluster, [
    ...manifest('core/namespace.yaml'),
    ...manifest('core/configmap.yaml'),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'longhorn-system' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: demoNamespace } },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'longhorn', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'driver.longhorn.io',
    },
  ]);
  const configurations = manifest('core/webhook-configurations.yaml') as WebhookDocument[];
  for (const configuration of configurations) {
    for (const webhook of configuration.webhooks) {
      webhook.clientConfig = { url: `${webhookUrl}${webhook.clientConfig.service?.path ?? ''}` };
    }
  }
  await apply(cluster, configurations);
}

export function configMapText(): string {
  const configMap = manifest('core/configmap.yaml')[0] as { data: Record<string, string> };
  const text = configMap.data['config.yaml'];
  if (text === undefined) throw new Error('manifests/core/configmap.yaml has no config.yaml');
  return text;
}
