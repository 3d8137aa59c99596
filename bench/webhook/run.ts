// Webhook benchmark: the real webhook beside a bare fastify HTTPS server, same certificate, same
// body limit, same machine, same run, over loopback HTTPS.
//   node bench/webhook/run.ts [--connections 32] [--duration 8] [--rate 1000] [--latency-duration 8]
//                             [--rounds 5] [--existing-pvcs 200] [--cases validate-allowed,mutate-patch,...]
//                             [--max-requests-per-socket 0] [--node-options="<the Deployment's NODE_OPTIONS>"]
//                             [--bare-node-options="" | same]
// Each server runs in a child process; each load generator is a process of its own. The two servers
// take turns, round after round (the one going first alternates), and each figure is the median of
// the rounds with their range beside it: on a shared 2-core machine one run alone is noise. The
// paired figures (each round's bare/webhook CPU per answer, each round's p99 difference) take the
// two servers of one round together, so the machine's drift from round to round drops out.
// Prints Markdown tables (for BENCHMARKS.md). Performance is never asserted: this only measures.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, residentMiB, startChild, type Child } from '../lib/child-process.ts';
import { startBenchControlPlane, type ControlPlane } from '../lib/control-plane.ts';
import { postJson } from '../lib/https-post.ts';
import { shippedNodeOptions } from '../lib/deployment-node-options.ts';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { markdownTable, ms, ratio, thousands } from '../lib/table.ts';
import { median, medianAndRange } from '../lib/percentiles.ts';
import { writeLoopbackCertificate } from '../lib/tls.ts';
import { buildVegeta, closedLoop, openLoop, type Latency, type Throughput } from './load-generators.ts';
import { seedCluster } from './seed-cluster.ts';
import { BENCH_NAMESPACE, benchCases, LONGHORN_STORAGE_CLASS, type BenchCase } from './review-bodies.ts';

const { values: flags } = parseArgs({
  options: {
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '8' },
    rate: { type: 'string', default: '1000' },
    'latency-duration': { type: 'string', default: '8' },
    rounds: { type: 'string', default: '5' },
    'existing-pvcs': { type: 'string', default: '200' },
    cases: { type: 'string' },
    // The webhook recycles a kept-alive connection after 1,000 requests (Connection: close on the
    // last answer). autocannon ignores Connection: close and keeps sending on the socket, which
    // Node answers with 503: so both servers run without a limit unless asked (vegeta reconnects).
    'max-requests-per-socket': { type: 'string', default: '0' },
    // Node options for the webhook process: as shipped (the Deployment's NODE_OPTIONS, its heap caps,
    // and the image's node flags) unless told otherwise, e.g.
    // --node-options="--max-old-space-size=96 --cpu-prof --cpu-prof-dir=/tmp/prof".
    'node-options': { type: 'string', default: shippedNodeOptions('webhook') },
    // Node options for the bare server: none unless asked. `--bare-node-options=same` gives it the
    // webhook's (its heap caps), to see what they cost a server that does nothing else.
    'bare-node-options': { type: 'string', default: '' },
  },
});
const connections = Number(flags.connections);
const durationSeconds = Number(flags.duration);
const rate = Number(flags.rate);
const latencySeconds = Number(flags['latency-duration']);
const existingPvcs = Number(flags['existing-pvcs']);
const rounds = Number(flags.rounds);
const WARMUP_SECONDS = 3;

const log = (message: string) => process.stderr.write(`${message}\n`);
const here = import.meta.dirname;

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

const SERVERS = ['bare', 'webhook'] as const;
type ServerName = (typeof SERVERS)[number];

interface CaseResult {
  readonly benchCase: BenchCase;
  /** One entry per round. */
  readonly throughput: Record<ServerName, Throughput[]>;
  readonly latency: Record<ServerName, Latency[]>;
  /**
   * The server process's CPU time per answer in each closed-loop round (µs). On a loaded machine the
   * req/s measure the share of the cores a server got as much as its work; CPU per answer hardly moves.
   */
  readonly cpuMicros: Record<ServerName, number[]>;
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
  log(
    `seeded: StorageClass ${LONGHORN_STORAGE_CLASS}, namespace ${BENCH_NAMESPACE} with ${existingPvcs} labelled PVCs`,
  );

  const bareNodeOptions = flags['bare-node-options'] === 'same' ? flags['node-options'] : flags['bare-node-options'];
  const bare = await startChild(
    join(here, 'bare-server.ts'),
    [tls.certFile, tls.keyFile, flags['max-requests-per-socket']],
    { execArgv: bareNodeOptions.split(/\s+/).filter(Boolean) },
  );
  children.push(bare);
  const webhook = await startChild(
    join(here, 'webhook-server.ts'),
    [plane.info.kubeconfigPath, tls.certFile, tls.keyFile, flags['max-requests-per-socket']],
    {
      execArgv: flags['node-options'].split(/\s+/).filter(Boolean),
    },
  );
  children.push(webhook);
  const idleRss = await residentMiB(webhook.pid);
  log(`webhook RSS with ${existingPvcs} PVCs cached, idle: ${idleRss.current.toFixed(0)} MiB`);
  const servers = { bare: `https://127.0.0.1:${bare.ready.port}`, webhook: `https://127.0.0.1:${webhook.ready.port}` };

  const selected = flags.cases?.split(',') ?? benchCases().map((c) => c.id);
  const results: CaseResult[] = [];
  for (const benchCase of benchCases().filter((c) => selected.includes(c.id))) {
    const bodyFile = join(workDir, `${benchCase.id}.json`);
    await writeFile(bodyFile, benchCase.body);
    await checkAnswer('webhook', servers.webhook + benchCase.path, benchCase, ca);
    const throughput: Record<ServerName, Throughput[]> = { bare: [], webhook: [] };
    const latency: Record<ServerName, Latency[]> = { bare: [], webhook: [] };
    const cpuMicros: Record<ServerName, number[]> = { bare: [], webhook: [] };
    const pids: Record<ServerName, number> = { bare: bare.pid, webhook: webhook.pid };
    for (const server of SERVERS)
      await closedLoop(servers[server] + benchCase.path, bodyFile, { connections, durationSeconds: WARMUP_SECONDS });
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? SERVERS : [...SERVERS].reverse();
      for (const server of order) {
        const cpuBefore = await cpuSeconds(pids[server]);
        const result = await closedLoop(servers[server] + benchCase.path, bodyFile, { connections, durationSeconds });
        throughput[server].push(result);
        cpuMicros[server].push((((await cpuSeconds(pids[server])) - cpuBefore) * 1e6) / result.total);
        log(
          `${benchCase.id} round ${round + 1} ${server}: ${thousands(result.requestsPerSecond)} req/s closed loop (${connections} connections)${result.failures > 0 ? `, FAILED ${result.failures}: ${JSON.stringify(result.statusCodes)}` : ''}`,
        );
      }
      for (const server of order) {
        const result = await openLoop(vegeta, servers[server] + benchCase.path, bodyFile, workDir, {
          rate,
          durationSeconds: latencySeconds,
          caFile: tls.caFile,
        });
        latency[server].push(result);
        log(
          `${benchCase.id} round ${round + 1} ${server}: p50 ${ms(result.p50Ms)} ms, p99 ${ms(result.p99Ms)} ms at ${rate} req/s${result.failures > 0 ? `, FAILED ${result.failures}` : ''}`,
        );
      }
    }
    results.push({ benchCase, throughput, latency, cpuMicros });
  }
  log(`after: ${loadSummary()}`);
  const endRss = await residentMiB(webhook.pid);

  const all = results.flatMap((r) => [
    ...r.throughput.bare,
    ...r.throughput.webhook,
    ...r.latency.bare,
    ...r.latency.webhook,
  ]);
  const failures = all.reduce((sum, r) => sum + r.failures, 0);
  const bodySizes = [...new Set(results.map((r) => Buffer.byteLength(r.benchCase.body)))].join(' / ');
  const rps = (r: Throughput) => r.requestsPerSecond;
  console.log(`\nmachine: ${describeMachine()}; ${loadSummary()} (at the end)`);
  console.log(
    `bodies: ${bodySizes} bytes; ${existingPvcs} other labelled PVCs in the namespace; max requests per connection: ${flags['max-requests-per-socket'] === '0' ? 'no limit' : flags['max-requests-per-socket']}`,
  );
  console.log(
    `webhook RSS (${existingPvcs} PVCs cached${flags['node-options'] ? `, ${flags['node-options']}` : ''}): idle ${idleRss.current.toFixed(0)} MiB, peak (VmHWM) ${endRss.peak.toFixed(0)} MiB, at the end ${endRss.current.toFixed(0)} MiB`,
  );
  console.log(`bare server's node options: ${bareNodeOptions || 'none'}`);
  console.log(
    failures === 0
      ? 'failed requests in all runs: 0'
      : `FAILED REQUESTS: ${failures} (the figures below are not valid; see the progress lines)`,
  );
  console.log(`each figure: median of ${rounds} rounds (min-max)\n`);
  console.log(
    `Throughput, closed loop (autocannon, ${connections} connections, ${durationSeconds} s per round after a ${WARMUP_SECONDS} s warm-up):\n`,
  );
  console.log(
    markdownTable(
      ['case', 'bare req/s', 'webhook req/s', 'webhook/bare', 'bare p50/p99 ms', 'webhook p50/p99 ms'],
      results.map(({ benchCase, throughput: { bare: b, webhook: w } }) => [
        benchCase.description,
        medianAndRange(b.map(rps), thousands),
        medianAndRange(w.map(rps), thousands),
        ratio(median(w.map(rps)), median(b.map(rps))),
        `${ms(median(b.map((r) => r.p50Ms)))} / ${ms(median(b.map((r) => r.p99Ms)))}`,
        `${ms(median(w.map((r) => r.p50Ms)))} / ${ms(median(w.map((r) => r.p99Ms)))}`,
      ]),
    ),
  );
  console.log(
    `\nServer CPU time per answer in the closed-loop rounds (µs; /proc, 10 ms ticks): what each would serve on a core of its own is the inverse, so bare/webhook is the throughput ratio without the machine's other load:\n`,
  );
  console.log(
    markdownTable(
      [
        'case',
        'bare CPU µs per answer',
        'webhook CPU µs per answer',
        'bare/webhook (throughput ratio on a core each)',
        "each round's bare/webhook, median (min-max)",
      ],
      results.map(({ benchCase, cpuMicros: { bare: b, webhook: w } }) => [
        benchCase.description,
        medianAndRange(b, (value) => value.toFixed(0)),
        medianAndRange(w, (value) => value.toFixed(0)),
        ratio(median(b), median(w)),
        // The two servers of one round ran back to back: their ratio leaves out the machine's drift
        // between rounds (bare's own CPU per answer moves by up to 2x from one round to the next).
        medianAndRange(
          b.map((bare, round) => bare / (w[round] ?? Number.NaN)),
          (value) => `${value.toFixed(2)}x`,
        ),
      ]),
    ),
  );
  console.log(
    `\nLatency at a fixed ${rate} req/s, open loop (vegeta, ${latencySeconds} s per round, ${thousands(rate * latencySeconds)} requests each):\n`,
  );
  console.log(
    markdownTable(
      [
        'case',
        'bare p50 ms',
        'webhook p50 ms',
        'bare p99 ms',
        'webhook p99 ms',
        'p99 webhook/bare',
        "each round's p99 webhook - bare ms, median (min-max)",
        'webhook max ms',
      ],
      results.map(({ benchCase, latency: { bare: b, webhook: w } }) => [
        benchCase.description,
        medianAndRange(
          b.map((r) => r.p50Ms),
          ms,
        ),
        medianAndRange(
          w.map((r) => r.p50Ms),
          ms,
        ),
        medianAndRange(
          b.map((r) => r.p99Ms),
          ms,
        ),
        medianAndRange(
          w.map((r) => r.p99Ms),
          ms,
        ),
        ratio(median(w.map((r) => r.p99Ms)), median(b.map((r) => r.p99Ms))),
        medianAndRange(
          w.map((r, round) => r.p99Ms - (b[round]?.p99Ms ?? Number.NaN)),
          (value) => `${value >= 0 ? '+' : ''}${ms(value)}`,
        ),
        medianAndRange(
          w.map((r) => r.maxMs),
          ms,
        ),
      ]),
    ),
  );
} finally {
  await Promise.allSettled(children.map((child) => child.stop()));
  await plane?.stop();
  await rm(workDir, { recursive: true, force: true });
}
