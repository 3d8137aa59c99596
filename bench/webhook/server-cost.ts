// What the webhook's server costs per answer over a bare fastify server, in one process, through
// light-my-request into each server's request listener (no TLS, no sockets, no load generator):
// the CPU time of each, round after round (the one going first alternates), on the benchmark's
// bodies, the webhook deciding against N labelled PVCs in its cache indexes. The machine's load
// hardly moves CPU time of one process; the HTTPS figures (run.ts) add the same TLS and socket
// work to both.
//   node bench/webhook/server-cost.ts [--pvcs 200] [--requests 5000] [--rounds 5] [--cases validate-allowed,...]
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { mintCertificateAuthority, plannedValidity } from '@longhorn-backup-guard/certs/mint-certificates';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { PvcLike } from '@longhorn-backup-guard/webhook/admission/pvc-object';
import { CachedPvcs } from '@longhorn-backup-guard/webhook/cache/cached-pvcs';
import { createAdmissionMetrics } from '@longhorn-backup-guard/webhook/server/admission-metrics';
import { buildAdmissionServer } from '@longhorn-backup-guard/webhook/server/admission-server';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { median } from '../lib/percentiles.ts';
import { markdownTable, ratio } from '../lib/table.ts';
import { buildBareApp } from './bare-app.ts';
import { injectCostPerAnswer, type InjectedCost } from './inject-cost.ts';
import { benchContext, seededPvcs } from './bench-context.ts';
import { BENCH_NAMESPACE, benchCases } from './review-bodies.ts';

const { values: flags } = parseArgs({
  options: {
    pvcs: { type: 'string', default: '200' },
    requests: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '5' },
    cases: { type: 'string' },
  },
});
const requests = Number(flags.requests);
const rounds = Number(flags.rounds);

const tls = await mintCertificateAuthority('server-cost-bench', plannedValidity(new Date(), 3600));
const cached = new CachedPvcs<PvcLike>();
for (const pvc of seededPvcs(Number(flags.pvcs))) cached.put(pvc);
// The production log level (info): nothing is written per admission.
const logger = createLogger('webhook', 'info');
const webhook = buildAdmissionServer({
  logger,
  tls,
  maxRequestsPerSocket: 0,
  metrics: createAdmissionMetrics(new Registry()),
  dependencies: {
    readiness: () => ({ ready: true }),
    contextFor: (namespace) => benchContext(cached.inNamespace(namespace)),
    log: logger,
  },
});
const bare = buildBareApp(tls, 0);
await Promise.all([webhook.ready(), bare.ready()]);
const apps = { bare, webhook };

const costPerAnswer = (app: typeof bare | typeof webhook, url: string, body: string) =>
  injectCostPerAnswer(app, url, body, requests);

process.stderr.write(`machine: ${describeMachine()}\nbefore: ${loadSummary()}\n`);
const rows: string[][] = [];
const selected = flags.cases?.split(',');
for (const benchCase of benchCases().filter((c) => selected?.includes(c.id) ?? true)) {
  const costs = { bare: [] as InjectedCost[], webhook: [] as InjectedCost[] };
  for (const name of ['bare', 'webhook'] as const) await costPerAnswer(apps[name], benchCase.path, benchCase.body);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['bare', 'webhook'] as const) : (['webhook', 'bare'] as const);
    for (const name of order) costs[name].push(await costPerAnswer(apps[name], benchCase.path, benchCase.body));
  }
  const [b, w] = [median(costs.bare.map((c) => c.cpuMicros)), median(costs.webhook.map((c) => c.cpuMicros))];
  const [bareBytes, webhookBytes] = [
    median(costs.bare.map((c) => c.allocatedBytes)),
    median(costs.webhook.map((c) => c.allocatedBytes)),
  ];
  process.stderr.write(`${benchCase.id}: bare ${b.toFixed(1)} µs, webhook ${w.toFixed(1)} µs\n`);
  rows.push([
    benchCase.description,
    b.toFixed(1),
    w.toFixed(1),
    (w - b).toFixed(1),
    ratio(b, w),
    (bareBytes / 1024).toFixed(1),
    (webhookBytes / 1024).toFixed(1),
  ]);
}
await Promise.all([webhook.close(), bare.close()]);
console.log(
  `\nmachine: ${describeMachine()}; ${loadSummary()} (at the end); ${flags.pvcs} PVCs in the namespace (${BENCH_NAMESPACE}); median of ${rounds} rounds of ${requests} requests\n`,
);
console.log(
  markdownTable(
    [
      'case',
      'bare CPU µs per answer',
      'webhook CPU µs per answer',
      'webhook adds µs',
      'bare/webhook',
      'bare KiB allocated per answer',
      'webhook KiB allocated per answer',
    ],
    rows,
  ),
);
