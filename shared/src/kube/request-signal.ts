// Per-request cancellation for @kubernetes/client-node calls without touching the transport: the
// generated APIs take ConfigurationOptions whose middleware may set the request's AbortSignal
// (isomorphic-fetch hands it to fetch). Used to bound a write's lifetime below a lease.
import {
  Observable,
  type ConfigurationOptions,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

/** `options` (e.g. mergePatch) plus a middleware that makes the request carry `signal`. */
export function withSignal(signal: AbortSignal, options: ConfigurationOptions = {}): ConfigurationOptions {
  const middleware = {
    pre: (request: RequestContext) => {
      request.setSignal(signal);
      return new Observable(Promise.resolve(request));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  return { ...options, middleware: [...(options.middleware ?? []), middleware], middlewareMergeStrategy: 'append' };
}
