// `longhorn-backup-guard status [-n NS | -A] [-o wide|json]`: reads the cluster kubectl would
// (KUBECONFIG or ~/.kube/config, --kubeconfig, --context), writes nothing.

import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { describeApiError } from '@longhorn-backup-guard/shared/kube/api-errors';
import { readConfigFile } from '../config/read-config-file.ts';
import { UsageError, type CommandIo } from '../command/command-io.ts';
import { formatStatus, type StatusOutput } from './format-status.ts';
import { readCluster } from './read-cluster.ts';
import { sortWorstFirst, statusRows } from './status-rows.ts';

export const STATUS_USAGE = `Usage: longhorn-backup-guard status [flags]

One row per Longhorn-backed PVC, worst first: protected (the job, or why not), schedule, retain,
last good backup, health, violations, archive. Reads only (get and list).

Flags:
  -n, --namespace NS        the namespace (default: the kubeconfig context's, else "default")
  -A, --all-namespaces      every namespace
  -o, --output wide|json    more columns, or JSON
      --kubeconfig FILE     default: KUBECONFIG, else ~/.kube/config
      --context NAME        a kubeconfig context other than the current one
      --config FILE         the product's configuration (default: read its ConfigMap)
      --config-map NS/NAME  where the ConfigMap is (default longhorn-backup-guard/longhorn-backup-guard)
`;

function loadKubeConfig(path: string | undefined, context: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path !== undefined) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromDefault();
  if (context !== undefined) kubeConfig.setCurrentContext(context);
  if (kubeConfig.getCurrentCluster() === null)
    throw new UsageError(
      'no cluster: the kubeconfig has no current cluster (set KUBECONFIG, --kubeconfig or --context)',
    );
  return kubeConfig;
}

export async function runStatus(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      namespace: { type: 'string', short: 'n' },
      'all-namespaces': { type: 'boolean', short: 'A', default: false },
      output: { type: 'string', short: 'o', default: 'table' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      config: { type: 'string' },
      'config-map': { type: 'string', default: 'longhorn-backup-guard/longhorn-backup-guard' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(STATUS_USAGE);
    return 0;
  }
  const output =
    values.output === 'table' || values.output === 'wide' || values.output === 'json'
      ? (values.output satisfies StatusOutput)
      : null;
  if (output === null) throw new UsageError(`-o ${values.output}: use wide or json (or leave it out for the table)`);
  const [cmNamespace = '', cmName = ''] = values['config-map'].split('/', 2);
  if (cmNamespace === '' || cmName === '')
    throw new UsageError(`--config-map ${JSON.stringify(values['config-map'])}: use NAMESPACE/NAME`);
  if (values['all-namespaces'] && values.namespace !== undefined) throw new UsageError('give -n or -A, not both');

  let config = null;
  if (values.config !== undefined) {
    const read = await readConfigFile(values.config);
    if (!read.ok) throw new UsageError(read.errors.join('\n'));
    config = read.config;
  }
  const kubeConfig = loadKubeConfig(values.kubeconfig, values.context);
  const namespace = values['all-namespaces']
    ? null
    : (values.namespace ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default');
  const now = io.now();
  let read;
  try {
    read = await readCluster(
      kubeConfig,
      { namespace, configMap: { namespace: cmNamespace, name: cmName }, config },
      now,
    );
  } catch (error) {
    io.stderr.write(
      `longhorn-backup-guard: cannot list PersistentVolumeClaims${namespace === null ? '' : ` in namespace "${namespace}"`}: ${describeApiError(error)}\n`,
    );
    return 2;
  }
  const rows = sortWorstFirst(statusRows(read.snapshot));
  io.stdout.write(formatStatus(rows, read.notes, output, namespace === null, now));
  return 0;
}
