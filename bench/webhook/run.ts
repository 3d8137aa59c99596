// Webhook benchmark: the real webhook beside a bare fastify HTTPS server, same certificate, same
// body limit, same machine, same run, over loopback HTTPS.
//   node bench/webhook/run.ts [--connections 32] [--duration 10] [--rate 1000] [--latency-duration 15]
//                             [--existing-pvcs 200] [--cases validate-allowed,mutate-patch,...]
// Each server runs in a child process; each load generator is a process of its own. Prints the
// figures as Markdown tables (for BENCHMARKS.md). Performance is never asserted: this only measures.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CoreV1Api, StorageV1Api } from '@kubernetes/client-node';
import { forEachBounded } from '../lib/bounded.ts';
import { startChild, type Child } from '../lib/child-process.ts';
import { startBenchControlPlane, type ControlPlane } from '../lib/control-plane.ts';
import { postJson } from '../lib/https-post.ts';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { markdownTable, ms, ratio, thousands } from '../lib/table.ts';
import { writeLoopbackCertificate } from '../lib/tls.ts';
import { buildVegeta, closedLoop, openLoop, type Latency, type Throughput } from './load-generators.ts';
import { BENCH_NAMESPACE, benchCases, LONGHORN_STORAGE_CLASS, validBackupLabels, type BenchCase } from './review-bodies.ts';

const { values: flags } = parseArgs({
  options: {
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
    'latency-duration': { type: 'string', default: '15' },
    'existing-pvcs': { type: 'string', default: '200' },
    cases: { type: 'string' },
  },
});
const connections = Number(flags.connections);
const durationSeconds = Number(flags.duration);
const rate = Number(flags.rate);
const latencySeconds = Number(flags['latency-duration']);
const existingPvcs = Number(flags['existing-pvcs']);
const WARMUP_SECONDS = 3;

const log = (message: string) => process.stderr.write(`${message}\n`);
const here = import.meta.dirname;

/** The namespace the reviews are about, holding `count` other labelled PVCs (the duplicate-name check looks at them). */
async function seedCluster(plane: ControlPlane, count: number): Promise<void> {
  const kc = plane.kubeConfig();
  await kc.makeApiClient(StorageV1Api).createStorageClass({ body: { metadata: { name: LONGHORN_STORAGE_CLASS }, provisioner: 'driver.longhorn.io' } });
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: BENCH_NAMESPACE } } });
  const names = Array.from({ length: count }, (_, i) => `app-data-${i}`);
  await forEachBounded(names, 16, async (name) => {
    await core.createNamespacedPersistentVolumeClaim({
      namespace: BENCH_NAMESPACE,
      body: {
        metadata: { name, labels: validBackupLabels(name) },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: LONGHORN_STORAGE_CLASS },
      },
    });
  });
}

/** Fails the run when a server answers the case other than expected (a benchmark of wrong answers means nothing). */
async function checkAnswer(server: string, url: string, benchCase: BenchCase, ca: string): Promise<void> {
  const { status, body } = await postJson(url, benchCase.body, ca);
  const response = (body as { response?: { allowed?: unknown; patch?: unknown } }).response;
  const allowed = response?.allowed === true;
  const patched = typeof response?.patch === 'string';
  if (status !== 200 || allowed !== benchCase.expect.allowed || patched !== benchCase.expect.patch) {
    throw new Error(`${server} answered ${benchCase.id} with ${status} ${JSON.stringify(body).slice(0, 500)}`);
  }
}

interface CaseResult {
  readonly benchCase: BenchCase;
  readonly throughput: { bare: Throughput; webhook: Throughput };
  readonly latency: { bare: Latency; webhook: Latency };
}

const workDir = await mkdtemp(join(tmpdir(), 'lbg-bench-webhook-'));
const children: Child[] = [];
let plane: ControlPlane | undefined;
try {
  log(`machine: ${describeMachine()}`);
  log(`before: ${loadSummary()}`);
  const vegeta = await buildVegeta();
  const tls = await writeLoopbackCertificate(workDir);
  const ca = readFileSync(tls.caFile, 'utf8');
  plane = await startBenchControlPlane(log);
  await seedCluster(plane, existingPvcs);
  log(`seeded: StorageClass ${LONGHORN_STORAGE_CLASS}, namespace ${BENCH_NAMESPACE} with ${existingPvcs} labelled PVCs`);

  const bare = await startChild(join(here, 'bare-server.ts'), [tls.certFile, tls.keyFile]);
  children.push(bare);
  const webhook = await startChild(join(here, 'webhook-server.ts'), [plane.info.kubeconfigPath, tls.certFile, tls.keyFile]);
  children.push(webhook);
  const servers = { bare: `https://127.0.0.1:${bare.ready.port}`, webhook: `https://127.0.0.1:${webhook.ready.port}` };

  const selected = flags.cases?.split(',') ?? benchCases().map((c) => c.id);
  const results: CaseResult[] = [];
  for (const benchCase of benchCases().filter((c) => selected.includes(c.id))) {
    const bodyFile = join(workDir, `${benchCase.id}.json`);
    await writeFile(bodyFile, benchCase.body);
    await checkAnswer('webhook', servers.webhook + benchCase.path, benchCase, ca);
    const throughput: Partial<Record<'bare' | 'webhook', Throughput>> = {};
    const latency: Partial<Record<'bare' | 'webhook', Latency>> = {};
    for (const server of ['bare', 'webhook'] as const) {
      const url = servers[server] + benchCase.path;
      await closedLoop(url, bodyFile, { connections, durationSeconds: WARMUP_SECONDS });
      throughput[server] = await closedLoop(url, bodyFile, { connections, durationSeconds });
      log(`${benchCase.id} ${server}: ${thousands(throughput[server].requestsPerSecond)} req/s closed loop (${connections} connections)`);
    }
    for (const server of ['bare', 'webhook'] as const) {
      latency[server] = await openLoop(vegeta, servers[server] + benchCase.path, bodyFile, workDir, { rate, durationSeconds: latencySeconds, caFile: tls.caFile });
      log(`${benchCase.id} ${server}: p50 ${ms(latency[server].p50Ms)} ms, p99 ${ms(latency[server].p99Ms)} ms at ${rate} req/s`);
    }
    results.push({ benchCase, throughput: throughput as CaseResult['throughput'], latency: latency as CaseResult['latency'] });
  }
  log(`after: ${loadSummary()}`);

  const failures = results.flatMap((r) => [r.throughput.bare, r.throughput.webhook, r.latency.bare, r.latency.webhook]).reduce((sum, r) => sum + r.failures, 0);
  const bodySizes = [...new Set(results.map((r) => Buffer.byteLength(r.benchCase.body)))].join(' / ');
  console.log(`\nmachine: ${describeMachine()}; ${loadSummary()} (at the end)`);
  console.log(`bodies: ${bodySizes} bytes; ${existingPvcs} other labelled PVCs in the namespace; failed requests in all runs: ${failures}\n`);
  console.log(`Throughput, closed loop (autocannon, ${connections} connections, ${durationSeconds} s after a ${WARMUP_SECONDS} s warm-up):\n`);
  console.log(markdownTable(
    ['case', 'bare req/s', 'webhook req/s', 'webhook/bare', 'bare p50/p99 ms', 'webhook p50/p99 ms'],
    results.map(({ benchCase, throughput: { bare: b, webhook: w } }) => [
      benchCase.description, thousands(b.requestsPerSecond), thousands(w.requestsPerSecond), ratio(w.requestsPerSecond, b.requestsPerSecond),
      `${ms(b.p50Ms)} / ${ms(b.p99Ms)}`, `${ms(w.p50Ms)} / ${ms(w.p99Ms)}`,
    ]),
  ));
  console.log(`\nLatency at a fixed ${rate} req/s, open loop (vegeta, ${latencySeconds} s, ${thousands(rate * latencySeconds)} requests each):\n`);
  console.log(markdownTable(
    ['case', 'bare p50 ms', 'webhook p50 ms', 'bare p99 ms', 'webhook p99 ms', 'p99 webhook/bare', 'webhook p90 / max ms'],
    results.map(({ benchCase, latency: { bare: b, webhook: w } }) => [
      benchCase.description, ms(b.p50Ms), ms(w.p50Ms), ms(b.p99Ms), ms(w.p99Ms), ratio(w.p99Ms, b.p99Ms), `${ms(w.p90Ms)} / ${ms(w.maxMs)}`,
    ]),
  ));
} finally {
  await Promise.allSettled(children.map((child) => child.stop()));
  await plane?.stop();
  await rm(workDir, { recursive: true, force: true });
}
