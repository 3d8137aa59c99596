// Lists a collection by its REST path, page by page, as raw JSON: exactly the shape watch events
// carry. (The typed clients turn timestamps into Date objects, which watch events never do; an
// informer fed by both would hold two shapes of the same object.)
import type { QueryParams } from '../kube-client.ts';
import { kubeClientOf, type KubeSource } from '../kube-source.ts';
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

/**
 * GETs one page of a collection as JSON (`path` with `query`); throws on an HTTP error with the
 * status code api-errors.ts reads. The components read through their KubeClient; the CLI through
 * client-node (users' kubeconfigs may need exec plugins).
 */
export type PageReader = (path: string, query: QueryParams, signal?: AbortSignal) => Promise<unknown>;

/** Pages through the component's KubeClient, each bounded by requestTimeoutMs. */
export function clientPageReader(source: KubeSource): PageReader {
  const client = kubeClientOf(source);
  return async (path, query, signal) =>
    (await client.request<unknown>({ method: 'GET', path, query, signal, timeoutMs: requestTimeoutMs })).body;
}

interface CollectionPage<T> {
  apiVersion?: string;
  kind?: string;
  items?: T[] | null;
  metadata?: { resourceVersion?: string; continue?: string };
}

/**
 * Lists every object under `path` (all pages of one consistent snapshot). Throws KubeApiError on an
 * HTTP error. `transform` is applied page by page, so only one page of full objects is ever held.
 */
export async function listCollection<T extends KubeObject>(
  read: PageReader,
  path: string,
  query: ListQuery = {},
  transform?: (object: unknown) => T,
): Promise<Listing<T>> {
  const items: T[] = [];
  let resourceVersion = '';
  let continueToken: string | undefined;
  do {
    const page = (await read(
      path,
      {
        labelSelector: query.labelSelector,
        fieldSelector: query.fieldSelector,
        limit: pageSize,
        continue: continueToken,
      },
      query.signal,
    )) as CollectionPage<T>;
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
  source: KubeSource,
  path: string,
  transform?: (object: unknown) => T,
): ListFunction<T> {
  const read = clientPageReader(source);
  return (query) => listCollection<T>(read, path, query, transform);
}

/** Items of built-in lists come without apiVersion and kind; watch events carry them. */
function withTypeMeta<T>(item: T, page: CollectionPage<T>): T {
  const typed = item as { apiVersion?: string; kind?: string };
  if (typed.kind || !page.kind?.endsWith('List')) return item;
  return { apiVersion: page.apiVersion, kind: page.kind.slice(0, -'List'.length), ...item };
}
