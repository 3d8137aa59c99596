// CPU time per answer of a fastify app called in process (fastify's inject: no TLS, no sockets),
// for the in-process benchmarks (server-cost.ts, base-cost.ts).

interface Injectable {
  inject(request: {
    method: 'POST';
    url: string;
    headers: Record<string, string>;
    body: string;
  }): PromiseLike<{ statusCode: number; body: string }>;
}

/** CPU µs per answer over `requests` injected POSTs of `body`, 8 in flight at a time; any answer but 200 fails. */
export async function injectCpuPerAnswer(
  app: Injectable,
  url: string,
  body: string,
  requests: number,
): Promise<number> {
  const one = async () => {
    const reply = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body });
    if (reply.statusCode !== 200) throw new Error(`${url} answered ${reply.statusCode}: ${reply.body.slice(0, 300)}`);
  };
  const before = process.cpuUsage();
  for (let done = 0; done < requests; done += 8) await Promise.all(Array.from({ length: 8 }, one));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests;
}
