// CPU time per answer of an HTTPS server's request listener called in process (light-my-request,
// fastify's inject: no TLS, no sockets), for the in-process benchmarks (server-cost.ts,
// base-cost.ts). The listener, not fastify's own inject: the webhook answers admissions before
// fastify (admission-endpoint.ts), which fastify's inject would skip.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inject } from 'light-my-request';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

interface Served {
  readonly server: { listeners(event: 'request'): unknown[] };
}

/** What the server does with each request it accepts (fastify's handler, or the webhook's router). */
function requestListenerOf(app: Served): RequestListener {
  const [listener] = app.server.listeners('request');
  if (typeof listener !== 'function') throw new Error('the server has no request listener');
  return listener as RequestListener;
}

/** CPU µs per answer over `requests` injected POSTs of `body`, 8 in flight at a time; any answer but 200 fails. */
export async function injectCpuPerAnswer(app: Served, url: string, body: string, requests: number): Promise<number> {
  const dispatch = requestListenerOf(app);
  const one = async () => {
    const reply = await inject(dispatch, {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    if (reply.statusCode !== 200) throw new Error(`${url} answered ${reply.statusCode}: ${reply.body.slice(0, 300)}`);
  };
  const before = process.cpuUsage();
  for (let done = 0; done < requests; done += 8) await Promise.all(Array.from({ length: 8 }, one));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests;
}
