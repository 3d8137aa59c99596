// Writes the apiserver served, from its own counter apiserver_request_total (every client), by
// resource: an independent check of what a component says it wrote.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'DELETECOLLECTION', 'APPLY']);

/** `resource VERB` -> count, write verbs only. */
export type ApiserverWrites = Record<string, number>;

export function parseApiserverWrites(metricsText: string): ApiserverWrites {
  const totals: ApiserverWrites = {};
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of line.matchAll(/(\w+)="([^"]*)"/g))
      if (name !== undefined && value !== undefined) labels[name] = value;
    const verb = labels.verb ?? '';
    if (!WRITE_VERBS.has(verb)) continue;
    const key = `${labels.resource ?? '?'}${labels.subresource ? `/${labels.subresource}` : ''} ${verb}`;
    totals[key] = (totals[key] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return totals;
}

export async function apiserverWrites(kubectl: string, kubeconfig: string): Promise<ApiserverWrites> {
  const { stdout } = await run(kubectl, ['--kubeconfig', kubeconfig, 'get', '--raw', '/metrics'], {
    maxBuffer: 512 * 1024 * 1024,
  });
  return parseApiserverWrites(stdout);
}

/** What each count grew by from `before` to `after` (keys that did not grow are left out). */
export function countsBetween(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const grown = value - (before[key] ?? 0);
    if (grown > 0) delta[key] = grown;
  }
  return delta;
}

/** Sum over keys whose resource (keys `resource/verb`, `resource VERB` or `resource/sub VERB`) passes `include`. */
export function sumByResource(
  counts: Readonly<Record<string, number>>,
  include: (resource: string) => boolean = () => true,
): number {
  return Object.entries(counts).reduce(
    (sum, [key, value]) => sum + (include(key.split(/[ /]/)[0] ?? '') ? value : 0),
    0,
  );
}
