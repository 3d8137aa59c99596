// The admission server of another checkout (the base commit, say) against this one and bare
// fastify, in one process through light-my-request into each server's request listener: CPU time
// per answer, the three taking turns round after round, so all three share whatever load the
// machine has at each moment (a before and an after run one after the other on a loaded machine
// differ by more than the change).
//   node bench/webhook/base-cost.ts --base <checkout with node_modules> [--pvcs 200] [--requests 3000] [--rounds 9]
// The base checkout needs its own node_modules whose @longhorn-backup-guard links point into it.
import { join } from 'node:path';
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
import { injectCostPerAnswer } from './inject-cost.ts';
import { benchContext, seededPvcs } from './bench-context.ts';
import { benchCases } from './review-bodies.ts';

const { values: flags } = parseArgs({
  options: {
    base: { type: 'string' },
    pvcs: { type: 'string', default: '200' },
    requests: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '9' },
  },
});
if (flags.base === undefined) throw new Error('usage: base-cost.ts --base <checkout>');
const requests = Number(flags.requests);
const rounds = Number(flags.rounds);
const baseSource = join(flags.base, 'webhook', 'src');
const baseServer = (await import(join(baseSource, 'server', 'admission-server.ts'))) as {
  buildAdmissionServer: typeof buildAdmissionServer;
};
const baseMetrics = (await import(join(baseSource, 'server', 'admission-metrics.ts'))) as {
  createAdmissionMetrics: typeof createAdmissionMetrics;
};
const baseCache = (await import(join(baseSource, 'cache', 'cached-pvcs.ts'))) as { CachedPvcs: typeof CachedPvcs };

const tls = await mintCertificateAuthority('base-cost-bench', plannedValidity(new Date(), 3600));
const logger = createLogger('webhook', 'info');
const cached = new CachedPvcs<PvcLike>();
const cachedInBase = new baseCache.CachedPvcs<PvcLike>();
for (const pvc of seededPvcs(Number(flags.pvcs))) {
  cached.put(pvc);
  cachedInBase.put(pvc);
}
const readiness = () => ({ ready: true });
const apps = {
  bare: buildBareApp(tls, 0),
  // A promise, as the base's context source gave (this one answers without one for a cached namespace).
  base: baseServer.buildAdmissionServer({
    logger,
    tls,
    metrics: baseMetrics.createAdmissionMetrics(new Registry()),
    dependencies: { readiness, log: logger, contextFor: async (ns) => benchContext(cachedInBase.inNamespace(ns)) },
  }),
  this: buildAdmissionServer({
    logger,
    tls,
    metrics: createAdmissionMetrics(new Registry()),
    dependencies: { readiness, log: logger, contextFor: (ns) => benchContext(cached.inNamespace(ns)) },
  }),
};
type Name = keyof typeof apps;
const names: Name[] = ['bare', 'base', 'this'];
await Promise.all(names.map((name) => apps[name].ready()));

const cpuPerAnswer = async (name: Name, url: string, body: string) =>
  (await injectCostPerAnswer(apps[name], url, body, requests)).cpuMicros;

process.stderr.write(`machine: ${describeMachine()}\nbefore: ${loadSummary()}\n`);
const rows: string[][] = [];
for (const benchCase of benchCases()) {
  const micros: Record<Name, number[]> = { bare: [], base: [], this: [] };
  for (const name of names) await cpuPerAnswer(name, benchCase.path, benchCase.body);
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse())
      micros[name].push(await cpuPerAnswer(name, benchCase.path, benchCase.body));
  }
  const [bare, base, current] = names.map((name) => median(micros[name]));
  const show = (values: number[]) => `${median(values).toFixed(1)} (min ${Math.min(...values).toFixed(1)})`;
  rows.push([
    benchCase.description,
    show(micros.bare),
    show(micros.base),
    show(micros.this),
    ratio(bare ?? 0, base ?? 0),
    ratio(bare ?? 0, current ?? 0),
    ratio(current ?? 0, base ?? 0),
  ]);
}
await Promise.all(names.map((name) => apps[name].close()));
console.log(
  `\nmachine: ${describeMachine()}; ${loadSummary()} (at the end); ${flags.pvcs} PVCs in the namespace; median of ${rounds} rounds of ${requests} requests each\n`,
);
console.log(
  markdownTable(
    ['case', 'bare CPU µs per answer', 'base webhook µs', 'this webhook µs', 'bare/base', 'bare/this', 'this/base'],
    rows,
  ),
);
