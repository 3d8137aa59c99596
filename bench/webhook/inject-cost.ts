// CPU time per answer of an HTTPS server's request listener called in process (light-my-request,
// fastify's inject: no TLS, no sockets), for the in-process benchmarks (server-cost.ts,
// base-cost.ts). The listener, not fastify's own inject: the webhook answers admissions before
// fastify (admission-endpoint.ts), which fastify's inject would skip.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GCProfiler, getHeapStatistics } from 'node:v8';
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

export interface InjectedCost {
  /** CPU µs per answer. */
  readonly cpuMicros: number;
  /**
   * Bytes allocated on the heap per answer (light-my-request's own objects included, the same for
   * every server): what the young generation's collector has to sweep. Unlike CPU time, it does
   * not move with the machine's load.
   */
  readonly allocatedBytes: number;
}

/**
 * Bytes allocated since `start`: what the collections freed (used before each minus used after)
 * plus what the heap grew by.
 */
function allocatedSince(usedAtStart: number, profiler: GCProfiler): number {
  const collections = profiler.stop().statistics;
  const freed = collections.reduce(
    (sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize,
    0,
  );
  return freed + getHeapStatistics().used_heap_size - usedAtStart;
}

/**
 * CPU time and allocation per answer over `requests` injected POSTs of `body`, 8 in flight at a time;
 * any answer but 200 fails.
 */
export async function injectCostPerAnswer(
  app: Served,
  url: string,
  body: string,
  requests: number,
): Promise<InjectedCost> {
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
  const profiler = new GCProfiler();
  const usedAtStart = getHeapStatistics().used_heap_size;
  profiler.start();
  const before = process.cpuUsage();
  for (let done = 0; done < requests; done += 8) await Promise.all(Array.from({ length: 8 }, one));
  const used = process.cpuUsage(before);
  return {
    cpuMicros: (used.user + used.system) / requests,
    allocatedBytes: allocatedSince(usedAtStart, profiler) / requests,
  };
}
