// What the soak samples every minute: per component (a process of its own) its RSS and open
// sockets from /proc, its V8 heap and the reconciler's work queue depth from its metrics endpoint;
// in the cluster the Event count; and the machine's load.
import { readdir, readlink } from 'node:fs/promises';
import { loadavg } from 'node:os';
import type { CoreV1Api } from '@kubernetes/client-node';
import { residentMiB } from '../lib/child-process.ts';

export interface ProcessSample {
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly sockets: number;
}

/** The sum of every series of `name` in Prometheus text (labelled or not); undefined when absent. */
export function sumOfSeries(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (line !== name && !line.startsWith(`${name} `) && !line.startsWith(`${name}{`)) continue;
    sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function openSockets(pid: number): Promise<number> {
  const descriptors = await readdir(`/proc/${pid}/fd`);
  const targets = await Promise.all(descriptors.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith('socket:')).length;
}

export async function metricsText(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`metrics on port ${port} answered ${response.status}`);
  return response.text();
}

export async function sampleProcess(pid: number, metrics: string): Promise<ProcessSample> {
  return {
    rssMiB: (await residentMiB(pid)).current,
    heapUsedMiB: (sumOfSeries(metrics, 'nodejs_heap_size_used_bytes') ?? Number.NaN) / 2 ** 20,
    sockets: await openSockets(pid),
  };
}

/** Every Event in the cluster, counted page by page. */
export async function countEvents(core: CoreV1Api): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await core.listEventForAllNamespaces({ limit: 500, ...(token ? { _continue: token } : {}) });
    count += page.items.length;
    token = page.metadata?._continue || undefined;
  } while (token !== undefined);
  return count;
}

export const loadOne = (): number => loadavg()[0] ?? 0;
