// Lists a collection by its REST path, page by page, as raw JSON: exactly the shape watch events
// carry. (The typed clients turn timestamps into Date objects, which watch events never do; an
// informer fed by both would hold two shapes of the same object.)
import { ApiException, HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch } from 'undici';
import type { KubeObject } from './object-key.ts';

export interface Listing<T> {
  items: T[];
  /** The collection's resourceVersion: a watch from here misses nothing. */
  resourceVersion: string;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  signal?: AbortSignal;
}

export type ListFunction<T> = (query: ListQuery) => Promise<Listing<T>>;

const pageSize = 500;
/** A whole page, however slowly it arrives. */
const requestTimeoutMs = 60_000;

interface CollectionPage<T> {
  apiVersion?: string;
  kind?: string;
  items?: T[] | null;
  metadata?: { resourceVersion?: string; continue?: string };
}

/**
 * Lists every object under `path` (all pages of one consistent snapshot). Throws ApiException on an
 * HTTP error. `transform` is applied page by page, so only one page of full objects is ever held.
 */
export async function listCollection<T extends KubeObject>(
  kubeConfig: KubeConfig,
  path: string,
  query: ListQuery = {},
  transform?: (object: unknown) => T,
): Promise<Listing<T>> {
  const items: T[] = [];
  let resourceVersion = '';
  let continueToken: string | undefined;
  do {
    const page = await getJson<CollectionPage<T>>(
      kubeConfig,
      path,
      {
        labelSelector: query.labelSelector,
        fieldSelector: query.fieldSelector,
        limit: String(pageSize),
        continue: continueToken,
      },
      query.signal,
    );
    for (const item of page.items ?? []) {
      const typed = withTypeMeta(item, page);
      items.push(transform === undefined ? typed : transform(typed));
    }
    resourceVersion = page.metadata?.resourceVersion ?? '';
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return { items, resourceVersion };
}

/** A ListFunction over `path` for an informer. */
export function collectionLister<T extends KubeObject>(
  kubeConfig: KubeConfig,
  path: string,
  transform?: (object: unknown) => T,
): ListFunction<T> {
  return (query) => listCollection<T>(kubeConfig, path, query, transform);
}

/** Items of built-in lists come without apiVersion and kind; watch events carry them. */
function withTypeMeta<T>(item: T, page: CollectionPage<T>): T {
  const typed = item as { apiVersion?: string; kind?: string };
  if (typed.kind || !page.kind?.endsWith('List')) return item;
  return { apiVersion: page.apiVersion, kind: page.kind.slice(0, -'List'.length), ...item };
}

/** Through the KubeConfig's own authentication and dispatcher (the pooled transport where it is one). */
async function getJson<T>(
  kubeConfig: KubeConfig,
  path: string,
  params: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<T> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('no current cluster in the kubeconfig');
  const url = new URL(server.replace(/\/$/, '') + path);
  for (const [key, value] of Object.entries(params)) if (value) url.searchParams.set(key, value);
  const context = new RequestContext(url.toString(), HttpMethod.GET);
  context.setHeaderParam('Accept', 'application/json');
  await kubeConfig.applySecurityAuthentication(context);
  const timeout = AbortSignal.timeout(requestTimeoutMs);
  const response = await fetch(url, {
    headers: context.getHeaders(),
    dispatcher: context.getDispatcher(),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  const body = await response.text();
  if (response.status !== 200) {
    throw new ApiException(
      response.status,
      `GET ${url.pathname}: HTTP ${response.status}`,
      body,
      Object.fromEntries(response.headers),
    );
  }
  return JSON.parse(body) as T;
}
