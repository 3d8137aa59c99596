// Where a component finds its cluster, in client-go's order: KUBECONFIG (a list of files, the first
// to name a context, cluster or user wins), else ~/.kube/config, else the in-cluster ServiceAccount
// (KUBERNETES_SERVICE_HOST/PORT, the projected token re-read as client-go does, the Pod's CA). With
// none of them, fail at start rather than aim at a default address and retry for ever.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { KubeClient } from './kube-client.ts';
import { connectionOf, type ClusterEntry, type KubeConnection, type UserEntry } from './kube-connection.ts';

/** Where a Pod finds its ServiceAccount (under `root`, for tests). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Fields = Record<string, unknown>;
interface Named {
  name?: unknown;
  cluster?: Fields;
  user?: Fields;
  context?: Fields;
}
interface KubeconfigFile {
  readonly dir: string;
  readonly currentContext?: string;
  readonly contexts: Named[];
  readonly clusters: Named[];
  readonly users: Named[];
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function readKubeconfig(path: string): KubeconfigFile {
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the kubeconfig ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const fields = (document ?? {}) as Fields;
  const list = (value: unknown): Named[] => (Array.isArray(value) ? (value as Named[]) : []);
  return {
    dir: dirname(path),
    currentContext: text(fields['current-context']),
    contexts: list(fields.contexts),
    clusters: list(fields.clusters),
    users: list(fields.users),
  };
}

/** A file path in a kubeconfig is relative to the kubeconfig's folder (as in client-go). */
function pathIn(dir: string, value: unknown): string | undefined {
  const path = text(value);
  return path === undefined || isAbsolute(path) ? path : join(dir, path);
}

function clusterEntry(fields: Fields, dir: string): ClusterEntry {
  return {
    server: text(fields.server) ?? '',
    caData: text(fields['certificate-authority-data']),
    caFile: pathIn(dir, fields['certificate-authority']),
    skipTLSVerify: fields['insecure-skip-tls-verify'] === true,
    tlsServerName: text(fields['tls-server-name']),
    proxyUrl: text(fields['proxy-url']),
  };
}

function userEntry(fields: Fields, dir: string): UserEntry {
  const provider = fields['auth-provider'] as { name?: unknown } | undefined;
  return {
    certData: text(fields['client-certificate-data']),
    certFile: pathIn(dir, fields['client-certificate']),
    keyData: text(fields['client-key-data']),
    keyFile: pathIn(dir, fields['client-key']),
    token: text(fields.token),
    tokenFile: pathIn(dir, fields.tokenFile),
    username: text(fields.username),
    password: text(fields.password),
    impersonateUser: text(fields.as),
    exec: fields.exec ?? undefined,
    authProvider: provider === undefined || provider === null ? undefined : { name: text(provider.name) ?? '?' },
  };
}

/** The current context's connection, from one or more kubeconfig files. */
export function connectionFromKubeconfig(paths: readonly string[]): KubeConnection {
  const files = paths.map(readKubeconfig);
  const where = paths.join(delimiter);
  const find = (kind: 'contexts' | 'clusters' | 'users', name: string) => {
    for (const file of files) {
      const entry = file[kind].find((candidate) => candidate.name === name);
      if (entry !== undefined) return { entry, dir: file.dir };
    }
    return undefined;
  };
  const current = files.find((file) => file.currentContext !== undefined)?.currentContext;
  if (current === undefined) throw new Error(`${where}: no current-context`);
  const context = find('contexts', current)?.entry.context ?? {};
  const clusterName = text(context.cluster);
  const cluster = clusterName === undefined ? undefined : find('clusters', clusterName);
  if (cluster?.entry.cluster === undefined) throw new Error(`${where}: context ${current} names no known cluster`);
  const userName = text(context.user);
  const user = userName === undefined ? undefined : find('users', userName);
  return connectionOf(
    clusterEntry(cluster.entry.cluster, cluster.dir),
    user?.entry.user === undefined ? {} : userEntry(user.entry.user, user.dir),
    `${where} (context ${current})`,
  );
}

/** The in-cluster ServiceAccount's connection: files are re-read by the client, so rotation is honoured. */
export function inClusterConnection(env: NodeJS.ProcessEnv, root = ''): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? ''}`;
  const dir = join(root, SERVICE_ACCOUNT_DIR);
  return connectionOf(
    { server, caFile: join(dir, 'ca.crt') },
    { tokenFile: join(dir, 'token') },
    'the in-cluster ServiceAccount',
  );
}

/** The component's client: KUBECONFIG, else ~/.kube/config, else the in-cluster ServiceAccount. */
export function loadKubeClient(env: NodeJS.ProcessEnv = process.env): KubeClient {
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((path) => path !== '');
  if (listed.length > 0) return new KubeClient(connectionFromKubeconfig(listed));
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return new KubeClient(connectionFromKubeconfig([home]));
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return new KubeClient(inClusterConnection(env));
  throw new Error('no Kubernetes cluster configured: set KUBECONFIG, provide ~/.kube/config, or run in a Pod');
}
