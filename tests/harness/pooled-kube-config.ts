// client-node's generated clients on one pooled HTTP transport, for the tests and benches that use
// them against the apiserver (the components themselves run on kube-client.ts, without client-node).
//
// Why: @kubernetes/client-node 2.0.1 builds a new undici Agent in applySecurityAuthentication for
// every request, so every call opens a fresh TCP + TLS connection and loads the client certificate
// again (upstream: kubernetes-client/javascript#2893, the same pattern with https.Agent). On 5,000
// PVCs that cost 2.4x the time and 4x the CPU of one reused Agent. This subclass keeps the
// generated API surface and the authentication (tokens, exec plugins, impersonation) exactly as
// client-node does it, and replaces only the dispatcher: one undici Agent per TLS material,
// keep-alive, HTTP/2 where the apiserver offers it (as client-go), so all requests and watches
// multiplex over a handful of connections.
//
// The pool and its timeouts are pooled-agent.ts's, as the components' KubeClient has them; a watch
// here has no body timeout (client-node's Watch aborts after 30 s of inactivity itself).
//
// Token rotation: the Authorization header is computed per request by client-node's authenticators,
// which re-read an in-cluster ServiceAccount token file every 60 s (as client-go does); a bearer
// token needs no new connection. CA and client-certificate bytes are compared on each request: when
// they change (a rotated file), a new Agent is built and the old one closed once its requests end.
import type { RequestOptions } from 'node:https';
import {
  KubeConfig,
  ServerConfiguration,
  createConfiguration,
  type ApiConstructor,
  type ApiType,
  type ResponseContext,
  type RequestContext,
} from '@kubernetes/client-node';
import { createRequire } from 'node:module';
import { sameTls, type TlsMaterial } from '@longhorn-backup-guard/shared/kube/tls-material';
import { pooledAgent, type PooledAgent } from './pooled-agent.ts';
import { requestHttpLibrary } from './request-http-library.ts';

export class PooledKubeConfig extends KubeConfig {
  #transport: PooledAgent | undefined;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const cluster = this.getCurrentCluster();
    // Proxies keep client-node's own per-request path; they are not what this product runs behind.
    if (!cluster || cluster.proxyUrl) return super.applySecurityAuthentication(context);
    // applyToHTTPSOptions runs the authenticators (token file, exec, OIDC), the impersonation header
    // and reads the TLS material; its https.Agent is cached by client-node and never used here.
    const options: RequestOptions & { headers: Record<string, string> } = { headers: {} };
    await this.applyToHTTPSOptions(options);
    if (options.auth) context.setHeaderParam('Authorization', `Basic ${Buffer.from(options.auth).toString('base64')}`);
    for (const [name, value] of Object.entries(options.headers)) context.setHeaderParam(name, String(value));
    const transport = this.#transportFor(tlsMaterialOf(options));
    context.setDispatcher(isWatch(context.getUrl()) ? transport.watches : transport.agent);
  }

  /**
   * client-node's makeApiClient, with request() in place of fetch() under the generated clients
   * (request-http-library.ts); the User-Agent is client-node's own.
   */
  override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    const cluster = this.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: this },
      httpApi: requestHttpLibrary,
      promiseMiddleware: [userAgent],
    });
    return new apiClientType(configuration);
  }

  /** Closes the pool (pending requests finish first). */
  async closeTransport(): Promise<void> {
    const transport = this.#transport;
    this.#transport = undefined;
    await transport?.agent.close();
  }

  #transportFor(material: TlsMaterial): PooledAgent {
    const current = this.#transport;
    if (current && sameTls(current.tls, material)) return current;
    if (current) void current.agent.close().catch(() => undefined);
    this.#transport = pooledAgent(material, 0);
    return this.#transport;
  }
}

const clientNodeVersion = (
  createRequire(import.meta.url)('@kubernetes/client-node/package.json') as { version: string }
).version;
/** The User-Agent client-node's own makeApiClient sets. */
const userAgent = {
  pre: (context: RequestContext) => {
    context.setHeaderParam('User-Agent', `kubernetes-client-javascript/${clientNodeVersion}`);
    return Promise.resolve(context);
  },
  post: (response: ResponseContext) => Promise.resolve(response),
};

function tlsMaterialOf(options: RequestOptions): TlsMaterial {
  return {
    ca: Buffer.isBuffer(options.ca) ? options.ca : undefined,
    cert: Buffer.isBuffer(options.cert) ? options.cert : undefined,
    key: Buffer.isBuffer(options.key) ? options.key : undefined,
    rejectUnauthorized: options.rejectUnauthorized,
    servername: options.servername,
  };
}

function isWatch(url: string): boolean {
  return /[?&]watch=(true|1)(&|$)/.test(url);
}
