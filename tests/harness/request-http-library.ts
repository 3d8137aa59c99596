// The HTTP library behind client-node's generated API clients (PooledKubeConfig.makeApiClient):
// undici's request() on the request's dispatcher (the pooled transport), in place of client-node's
// IsomorphicFetchHttpLibrary, which calls undici's fetch(). fetch builds a WHATWG Request and
// Response, Headers, web streams and linked abort signals for every call; in a profile of the
// reconciler adopting 1,000 PVCs that machinery was the largest single share of its CPU after the
// TLS handshakes were gone (issue 13). request() keeps the same dispatcher, headers, body and
// abort signal, and nothing else changes: client-node still builds, authenticates, serializes and
// deserializes every call.
// The body is read in full before the answer is handed on (an API answer is one JSON document),
// so a caller that never reads it cannot hold a pooled HTTP/2 stream open.
import {
  ResponseContext,
  wrapHttpLibrary,
  type HttpLibrary,
  type RequestContext,
  type ResponseBody,
} from '@kubernetes/client-node';
import { request, type Dispatcher } from 'undici';
import { flatHeaders } from '@longhorn-backup-guard/shared/kube/transport';

function bodyOf(bytes: Buffer): ResponseBody {
  return {
    text: () => Promise.resolve(bytes.toString('utf8')),
    binary: () => Promise.resolve(bytes),
    stream: () => new Blob([bytes]).stream(),
  };
}

async function send(context: RequestContext): Promise<ResponseContext> {
  const answer = await request(context.getUrl(), {
    method: context.getHttpMethod() as Dispatcher.HttpMethod,
    headers: context.getHeaders(),
    body: context.getBody() as string | Buffer | undefined,
    signal: context.getSignal(),
    dispatcher: context.getDispatcher(),
  });
  const bytes = Buffer.from(await answer.body.arrayBuffer());
  return new ResponseContext(answer.statusCode, flatHeaders(answer.headers), bodyOf(bytes));
}

export const requestHttpLibrary: HttpLibrary = wrapHttpLibrary({ send });
