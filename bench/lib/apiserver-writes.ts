// Writes the apiserver served, from its own counter apiserver_request_total (every client), by
// resource: an independent check of what a component says it wrote; and every request it served
// (reads and watches too), for what a benchmark's leg asked of it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'DELETECOLLECTION', 'APPLY']);

/** `resource VERB` -> count. */
export type ApiserverCounts = Record<string, number>;
/** `resource VERB` -> count, write verbs only. */
export type ApiserverWrites = ApiserverCounts;

/** The labels of one line of the Prometheus text format. */
function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/(\w+)="([^"]*)"/g))
    if (name !== undefined && value !== undefined) labels[name] = value;
  return labels;
}

/** Every request the apiserver counted, by `resource VERB` (LIST, WATCH and GET included). */
function parseApiserverRequests(metricsText: string): ApiserverCounts {
  const totals: ApiserverCounts = {};
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = labelsOf(line);
    const key = `${labels.resource ?? '?'}${labels.subresource ? `/${labels.subresource}` : ''} ${labels.verb ?? ''}`;
    totals[key] = (totals[key] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return totals;
}

/** The writes among `requests` (keys end in their verb). */
function writesAmong(requests: ApiserverCounts): ApiserverWrites {
  return Object.fromEntries(
    Object.entries(requests).filter(([key]) => WRITE_VERBS.has(key.slice(key.lastIndexOf(' ') + 1))),
  );
}

async function apiserverMetrics(kubectl: string, kubeconfig: string): Promise<string> {
  const { stdout } = await run(kubectl, ['--kubeconfig', kubeconfig, 'get', '--raw', '/metrics'], {
    maxBuffer: 512 * 1024 * 1024,
  });
  return stdout;
}

/** `resource VERB` -> the apiserver's own request latency so far (apiserver_request_duration_seconds), writes only. */
export type ApiserverLatencies = Record<string, { readonly seconds: number; readonly count: number }>;

export function parseApiserverLatencies(metricsText: string): ApiserverLatencies {
  const totals: Record<string, { seconds: number; count: number }> = {};
  for (const line of metricsText.split('\n')) {
    const sample = /^apiserver_request_duration_seconds_(sum|count)\{(.*)\} (\S+)$/.exec(line);
    if (sample === null) continue;
    const labels = labelsOf(sample[2] ?? '');
    if (!WRITE_VERBS.has(labels.verb ?? '') || labels.subresource) continue;
    const total = (totals[`${labels.resource ?? '?'} ${labels.verb}`] ??= { seconds: 0, count: 0 });
    if (sample[1] === 'sum') total.seconds += Number(sample[3]);
    else total.count += Number(sample[3]);
  }
  return totals;
}

/** The apiserver's write counts and write latencies so far, from one scrape of its /metrics. */
export interface ApiserverScrape {
  readonly writes: ApiserverWrites;
  /** Every request, reads and watches included. */
  readonly requests: ApiserverCounts;
  readonly latencies: ApiserverLatencies;
}

export async function scrapeApiserver(kubectl: string, kubeconfig: string): Promise<ApiserverScrape> {
  const text = await apiserverMetrics(kubectl, kubeconfig);
  const requests = parseApiserverRequests(text);
  return { writes: writesAmong(requests), requests, latencies: parseApiserverLatencies(text) };
}

/** The mean latency (ms) the apiserver measured for `key` (`resource VERB`) from `before` to `after`. */
export function meanLatencyMs(before: ApiserverLatencies, after: ApiserverLatencies, key: string): number {
  const count = (after[key]?.count ?? 0) - (before[key]?.count ?? 0);
  return count === 0 ? Number.NaN : (((after[key]?.seconds ?? 0) - (before[key]?.seconds ?? 0)) / count) * 1000;
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
