// What the components need to reach the apiserver, resolved from one kubeconfig context (or the
// in-cluster ServiceAccount): the server, the TLS material and one credential. Material given as a
// file stays a file (kube-client.ts re-reads it, so a rotated token, CA or certificate is picked up).
// The components run with a ServiceAccount token or a client certificate: exec and auth-provider
// plugins, basic auth and proxies are refused with a clear error rather than half supported.

/** Bytes given inline, or a file read (and re-read) by the client. */
export type Material = { readonly bytes: Buffer } | { readonly file: string };

export interface KubeConnection {
  /** e.g. https://10.0.0.1:6443, without a trailing slash. */
  readonly server: string;
  readonly ca?: Material;
  readonly cert?: Material;
  readonly key?: Material;
  readonly skipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly token?: Material;
  /** Impersonate-User (tests run the product as a ServiceAccount through the admin's credentials). */
  readonly impersonateUser?: string;
}

/** A kubeconfig cluster entry, with client-node's field names (its Cluster objects fit structurally). */
export interface ClusterEntry {
  readonly server: string;
  readonly caData?: string;
  readonly caFile?: string;
  readonly skipTLSVerify?: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
}

/** A kubeconfig user entry, with client-node's field names (its User objects fit structurally). */
export interface UserEntry {
  readonly certData?: string;
  readonly certFile?: string;
  readonly keyData?: string;
  readonly keyFile?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly username?: string;
  readonly password?: string;
  readonly impersonateUser?: string;
  readonly exec?: unknown;
  /** client-node spells an in-cluster token file as the auth provider `tokenFile`. */
  readonly authProvider?: { readonly name?: string; readonly config?: Record<string, unknown> };
}

const UNSUPPORTED =
  'the components authenticate with a ServiceAccount token or a client certificate (in the Pod: the projected token)';

function material(data: string | undefined, file: string | undefined): Material | undefined {
  if (data) return { bytes: Buffer.from(data, 'base64') };
  if (file) return { file };
  return undefined;
}

function tokenOf(user: UserEntry, context: string): Material | undefined {
  if (user.authProvider !== undefined) {
    const tokenFile = user.authProvider.config?.tokenFile;
    if (user.authProvider.name === 'tokenFile' && typeof tokenFile === 'string') return { file: tokenFile };
    throw new Error(`${context}: auth-provider ${user.authProvider.name ?? '?'} is not supported; ${UNSUPPORTED}`);
  }
  if (user.exec !== undefined && user.exec !== null)
    throw new Error(`${context}: exec credential plugins are not supported; ${UNSUPPORTED}`);
  if (user.username || user.password)
    throw new Error(`${context}: basic authentication is not supported; ${UNSUPPORTED}`);
  if (user.token) return { bytes: Buffer.from(user.token, 'utf8') };
  if (user.tokenFile) return { file: user.tokenFile };
  return undefined;
}

/** The connection one cluster and user entry describe; throws for what the components do not support. */
export function connectionOf(cluster: ClusterEntry, user: UserEntry, context = 'kubeconfig'): KubeConnection {
  if (!cluster.server) throw new Error(`${context}: the cluster has no server`);
  if (cluster.proxyUrl)
    throw new Error(`${context}: proxy-url is not supported; the components talk to the apiserver directly`);
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw new Error(`${context}: the server ${JSON.stringify(cluster.server)} is not a URL`);
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:')
    throw new Error(`${context}: the server ${cluster.server} is neither https nor http`);
  const cert = material(user.certData, user.certFile);
  const key = material(user.keyData, user.keyFile);
  if ((cert === undefined) !== (key === undefined))
    throw new Error(`${context}: a client certificate needs both its certificate and its key`);
  return {
    server: cluster.server.replace(/\/+$/, ''),
    skipTlsVerify: cluster.skipTLSVerify === true,
    ca: material(cluster.caData, cluster.caFile),
    cert,
    key,
    tlsServerName: cluster.tlsServerName || undefined,
    token: tokenOf(user, context),
    impersonateUser: user.impersonateUser || undefined,
  };
}
