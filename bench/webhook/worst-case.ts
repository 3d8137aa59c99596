// Worst-case inputs against the real webhook (issue 11): how long the answer to each takes, as a
// ratio of a typical review's answer measured in the same run, and the webhook's memory (RSS)
// under the worst loads, beside the Deployment's memory limit (256 MiB). The memory is measured
// twice: with the shipped limits, and with the connection cap and the body budget lifted
// (what the webhook did before them), each webhook in a child process of its own.
//   node bench/webhook/worst-case.ts [--repeats 20] [--connections 1000] [--large-bodies 16]
//                                    [--node-options="<the Deployment's NODE_OPTIONS>"]
// The webhook runs with the Deployment's NODE_OPTIONS (its V8 heap cap, manifests/core/) unless told otherwise.
// Prints Markdown tables (for BENCHMARKS.md). Nothing is asserted: this only measures.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { parseArgs } from 'node:util';
import { DEFAULT_LABEL_PREFIX } from '@longhorn-backup-guard/shared/config/guard-config';
import { ADMISSION_BODY_LIMIT } from '@longhorn-backup-guard/webhook/server/admission-endpoint';
import { DEFAULT_SERVER_LIMITS } from '@longhorn-backup-guard/webhook/server/server-limits';
import { cpuSeconds, residentMiB, startChild, type Child } from '../lib/child-process.ts';
import { shippedNodeOptions } from '../lib/deployment-node-options.ts';
import { startBenchControlPlane, type ControlPlane } from '../lib/control-plane.ts';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { median } from '../lib/percentiles.ts';
import { markdownTable, ms, ratio, thousands } from '../lib/table.ts';
import { writeLoopbackCertificate } from '../lib/tls.ts';
import { createReview, validBackupLabels } from './review-bodies.ts';
import { seedStorageClassAndNamespace } from './seed-cluster.ts';

const { values: flags } = parseArgs({
  options: {
    repeats: { type: 'string', default: '20' },
    connections: { type: 'string', default: '1000' },
    'large-bodies': { type: 'string', default: '16' },
    'node-options': { type: 'string', default: shippedNodeOptions('webhook') },
  },
});
const repeats = Number(flags.repeats);
const idleConnections = Number(flags.connections);
const largeBodies = Number(flags['large-bodies']);
const DEPLOYMENT_MEMORY_LIMIT_MIB = 256;
const BODY_LIMIT_MIB = ADMISSION_BODY_LIMIT / 2 ** 20;
const P = DEFAULT_LABEL_PREFIX;

const log = (message: string) => process.stderr.write(`${message}\n`);
const here = import.meta.dirname;

/** `count` unknown backup labels `<p>/x000000`… besides a full set of valid ones. */
function unknownLabels(count: number): Record<string, string> {
  const labels: Record<string, string> = { ...validBackupLabels('billing-db') };
  for (let index = 0; index < count; index++) labels[`${P}/x${String(index).padStart(6, '0')}`] = 'v';
  return labels;
}

/**
 * A CREATE review whose labels fill it to about `bytes` (no last-applied annotation or managedFields, which would
 * repeat them).
 */
function reviewOfSize(bytes: number): string {
  const review = createReview('billing-db-0', {}) as { request: { object: { metadata: Record<string, unknown> } } };
  const metadata = review.request.object.metadata;
  delete metadata.annotations;
  delete metadata.managedFields;
  const perLabel = `"${P}/x000000":"v",`.length;
  metadata.labels = unknownLabels(Math.floor((bytes - JSON.stringify(review).length - 1_024) / perLabel));
  return JSON.stringify(review);
}

interface WorstCase {
  readonly description: string;
  readonly path: string;
  readonly body: string;
}

function worstCases(): WorstCase[] {
  const typical = JSON.stringify(createReview('billing-db-0', validBackupLabels('billing-db')));
  // As deep as fits in the body limit (6 bytes a level).
  const depth = 600_000;
  return [
    { description: 'typical CREATE review (the baseline)', path: '/validate', body: typical },
    {
      description: '40,000 unknown backup labels',
      path: '/validate',
      body: JSON.stringify(createReview('billing-db-0', unknownLabels(40_000))),
    },
    {
      // The apiserver calls the mutating webhook first, with the same body.
      description: '40,000 unknown backup labels, `/mutate`',
      path: '/mutate',
      body: JSON.stringify(createReview('billing-db-0', unknownLabels(40_000))),
    },
    {
      description: 'one 1 MB label key',
      path: '/validate',
      body: JSON.stringify(
        createReview('billing-db-0', { ...validBackupLabels('billing-db'), [`${P}/${'k'.repeat(1024 * 1024)}`]: 'v' }),
      ),
    },
    {
      description: `body nested ${thousands(depth)} levels deep (400)`,
      path: '/validate',
      body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","kind":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`,
    },
    {
      description: `${BODY_LIMIT_MIB} MiB review of unknown labels (the body limit)`,
      path: '/validate',
      body: reviewOfSize(ADMISSION_BODY_LIMIT),
    },
  ];
}

function post(
  port: number,
  path: string,
  body: string,
  ca: string,
  agent: Agent | false,
): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: 60_000,
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.once('error', reject);
    if (agent === false) req.on('socket', (socket) => socket.on('error', () => undefined));
    req.once('timeout', () => req.destroy(new Error(`no answer on ${path} within 60 s`)));
    req.end(body);
  });
}

function openTls(port: number, ca: string): Promise<TLSSocket | null> {
  return new Promise((resolve) => {
    const socket = connectTls({ host: '127.0.0.1', port, ca, servername: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', () => resolve(null));
    socket.once('close', () => resolve(null));
  });
}

interface MemoryFigures {
  idle: number;
  connections: number;
  largeBodies: number;
  peak: number;
  answered: string;
}

async function measureMemory(webhook: Child, ca: string, body: string): Promise<MemoryFigures> {
  const port = webhook.ready.port ?? 0;
  const idle = (await residentMiB(webhook.pid)).current;
  const sockets: (TLSSocket | null)[] = [];
  for (let index = 0; index < idleConnections; index += 50) {
    sockets.push(
      ...(await Promise.all(Array.from({ length: Math.min(50, idleConnections - index) }, () => openTls(port, ca)))),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const connections = (await residentMiB(webhook.pid)).current;
  for (const socket of sockets) socket?.destroy();
  await new Promise((resolve) => setTimeout(resolve, 500));
  let peakSeen = 0;
  const sampler = setInterval(() => {
    residentMiB(webhook.pid).then(
      ({ peak }) => {
        peakSeen = peak;
      },
      () => undefined,
    );
  }, 100);
  const answers = await Promise.all(
    Array.from({ length: largeBodies }, () =>
      post(port, '/validate', body, ca, false).catch(() => ({ status: 0, ms: 0 })),
    ),
  );
  clearInterval(sampler);
  const last = await residentMiB(webhook.pid).catch(() => null);
  const exited = last === null || webhook.process.exitCode !== null || webhook.process.signalCode !== null;
  const { current, peak } = last ?? { current: Number.NaN, peak: peakSeen };
  const codes = new Map<number, number>();
  for (const { status } of answers) codes.set(status, (codes.get(status) ?? 0) + 1);
  const answered = [...codes].map(([code, count]) => `${count}x ${code === 0 ? 'failed' : code}`).join(', ');
  await webhook.stop();
  return {
    idle,
    connections,
    largeBodies: current,
    peak,
    answered: exited
      ? `${answered}; the webhook DIED (${webhook.process.signalCode ?? `exit ${webhook.process.exitCode}`})`
      : answered,
  };
}

const workDir = await mkdtemp(join(tmpdir(), 'lbg-bench-worst-'));
const children: Child[] = [];
let plane: ControlPlane | undefined;
try {
  log(`machine: ${describeMachine()}`);
  log(`before: ${loadSummary()}`);
  const tls = await writeLoopbackCertificate(workDir);
  const ca = readFileSync(tls.caFile, 'utf8');
  plane = await startBenchControlPlane(log);
  await seedStorageClassAndNamespace(plane);
  const startWebhookChild = async (limits: object) => {
    const child = await startChild(
      join(here, 'webhook-server.ts'),
      [plane?.info.kubeconfigPath ?? '', tls.certFile, tls.keyFile, '0', JSON.stringify(limits)],
      {
        execArgv: flags['node-options'].split(/\s+/).filter(Boolean),
      },
    );
    children.push(child);
    return child;
  };

  // Answer times, one request at a time over one kept-alive connection.
  const shipped = await startWebhookChild({});
  const cases = worstCases();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times = new Map<WorstCase, { ms: number[]; cpuMs: number; status: number }>();
  for (const worst of cases) {
    await post(shipped.ready.port ?? 0, worst.path, worst.body, ca, agent);
    const samples: number[] = [];
    let status = 0;
    const cpuBefore = await cpuSeconds(shipped.pid);
    for (let index = 0; index < repeats; index++) {
      const answer = await post(shipped.ready.port ?? 0, worst.path, worst.body, ca, agent);
      samples.push(answer.ms);
      status = answer.status;
    }
    // CPU time the webhook spent per answer: unlike the wall-clock time, hardly inflated by other work on the machine.
    const cpuMs = (((await cpuSeconds(shipped.pid)) - cpuBefore) * 1000) / repeats;
    times.set(worst, { ms: samples, cpuMs, status });
    log(
      `${worst.description}: median ${ms(median(samples))} ms, max ${ms(Math.max(...samples))} ms, webhook CPU ${ms(cpuMs)} ms per answer (${status})`,
    );
  }
  agent.destroy();
  const baseline = times.get(cases[0] as WorstCase) ?? { ms: [], cpuMs: Number.NaN, status: 0 };

  await shipped.stop();

  // Memory, each in a fresh process: with the shipped limits, and without the cap and the budget.
  const largest = cases.at(-1)?.body ?? '';
  const withLimits = await measureMemory(await startWebhookChild({}), ca, largest);
  log(`memory with the limits: ${JSON.stringify(withLimits)}`);
  const withoutLimits = await measureMemory(
    await startWebhookChild({ maxConnections: 1_000_000, bodyBytesInFlight: 2 ** 40 }),
    ca,
    largest,
  );
  log(`memory without the cap and the budget: ${JSON.stringify(withoutLimits)}`);
  log(`after: ${loadSummary()}`);

  console.log(
    `\nmachine: ${describeMachine()}; ${loadSummary()} (at the end); webhook node options: ${flags['node-options'] || 'none'}`,
  );
  console.log(
    `each figure: ${repeats} requests one after another over one kept-alive HTTPS connection, after one warm-up request; CPU: the webhook process's user+system time over them, per answer (10 ms clock ticks)\n`,
  );
  console.log(
    markdownTable(
      [
        'input',
        'body',
        'status',
        'median ms',
        'max ms',
        'median / typical',
        'webhook CPU ms per answer',
        'CPU / typical',
      ],
      cases.map((worst) => {
        const measured = times.get(worst) ?? { ms: [], cpuMs: Number.NaN, status: 0 };
        return [
          worst.description,
          `${(Buffer.byteLength(worst.body) / 1024).toFixed(0)} KiB`,
          String(measured.status),
          ms(median(measured.ms)),
          ms(Math.max(...measured.ms)),
          ratio(median(measured.ms), median(baseline.ms)),
          ms(measured.cpuMs),
          ratio(measured.cpuMs, baseline.cpuMs),
        ];
      }),
    ),
  );
  const limits = DEFAULT_SERVER_LIMITS;
  console.log(
    `\nMemory (RSS, MiB) of the webhook process; the Deployment's limit is ${DEPLOYMENT_MEMORY_LIMIT_MIB} MiB. Shipped limits: at most ${limits.maxConnections} connections, at most ${limits.bodyBytesInFlight / 2 ** 20} MiB of request bodies at a time.\n`,
  );
  const row = (name: string, figures: MemoryFigures) => [
    name,
    ms(figures.idle),
    ms(figures.connections),
    ms(figures.largeBodies),
    figures.answered,
    ms(figures.peak),
    ratio(figures.peak, DEPLOYMENT_MEMORY_LIMIT_MIB),
  ];
  console.log(
    markdownTable(
      [
        'webhook',
        'idle',
        `${thousands(idleConnections)} TLS connections opened (held idle)`,
        `after ${largeBodies} concurrent ${BODY_LIMIT_MIB} MiB reviews`,
        'their answers',
        'peak (VmHWM)',
        'peak / limit',
      ],
      [row('shipped limits', withLimits), row('no connection cap, no body budget', withoutLimits)],
    ),
  );
} finally {
  await Promise.allSettled(children.map((child) => child.stop()));
  await plane?.stop();
  await rm(workDir, { recursive: true, force: true });
}
