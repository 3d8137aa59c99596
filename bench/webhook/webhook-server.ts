// The real webhook (startWebhook: informer caches of a real apiserver, decisions, metrics, one log
// line per admission) with a fixed certificate and configuration. Run as a child process by run.ts:
//   node bench/webhook/webhook-server.ts <kubeconfig> <cert file> <key file>
//     <max requests per socket, 0: no limit> [<server limits as JSON>]
import { readFileSync } from 'node:fs';
import { loadKubeClient } from '@longhorn-backup-guard/shared/kube/load-kube-config';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { staticConfig } from '@longhorn-backup-guard/shared/config/config-source';
import { staticCertificate } from '@longhorn-backup-guard/webhook/server/certificate-source';
import type { ServerLimits } from '@longhorn-backup-guard/webhook/server/server-limits';
import { startWebhook } from '@longhorn-backup-guard/webhook/start-webhook';
import { waitFor } from '../../tests/harness/wait-for.ts';
import { reportReady, stopWith } from '../lib/child-process.ts';

const [kubeconfigPath, certFile, keyFile, maxRequestsPerSocket, serverLimits] = process.argv.slice(2);
if (
  kubeconfigPath === undefined ||
  certFile === undefined ||
  keyFile === undefined ||
  maxRequestsPerSocket === undefined
) {
  throw new Error('usage: webhook-server.ts <kubeconfig> <cert file> <key file> <max requests per socket>');
}
// The components' own client and kubeconfig loader, as main.ts uses them (no client-node at run time).
const kubeConfig = loadKubeClient({ KUBECONFIG: kubeconfigPath });

const webhook = await startWebhook({
  kubeConfig,
  config: staticConfig(defaultConfig),
  certificates: staticCertificate({ cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') }),
  host: '127.0.0.1',
  port: 0,
  metricsPort: 0,
  maxRequestsPerSocket: Number(maxRequestsPerSocket),
  serverLimits: serverLimits === undefined ? {} : (JSON.parse(serverLimits) as Partial<ServerLimits>),
});
stopWith(() => webhook.close());
await waitFor('webhook caches synced', async () => (webhook.readiness().ready ? true : undefined), 60_000);
reportReady({ port: webhook.port });
